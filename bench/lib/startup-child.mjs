/**
 * Start-up: import the BUILT fetch adapter (or customerio-node), create the handler (client) and handle one
 * signed webhook (one identify) against a stubbed fetch. Prints `RESULT {…}` with times in ms from
 * process start (`performance.now()` counts from the process's time origin) and from import start, and the
 * CPU time spent from import start to the answer.
 * The webhook is signed by the parent and passed in the environment, so nothing here precedes the import.
 */
const sinceStart = performance.now();
const cpuAtStart = process.cpuUsage();
const what = process.env.WHAT;
const stubFetch = async () =>
  new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });

let status;
let imported;
if (what === 'ours') {
  const { purchaselyWebhook } = await import('@purchasely-customerio/adapters/fetch');
  imported = performance.now();
  const handler = purchaselyWebhook({
    webhookSecret: process.env.WEBHOOK_SECRET,
    customerio: { siteId: 's', apiKey: 'k', region: 'us', rateLimit: false, fetch: stubFetch },
  });
  const response = await handler(
    new Request('http://localhost/webhooks/purchasely', {
      method: 'POST',
      headers: JSON.parse(process.env.WEBHOOK_HEADERS),
      body: process.env.WEBHOOK_BODY,
    }),
  );
  await response.text();
  status = response.status;
} else if (what === 'customerio-node') {
  globalThis.fetch = stubFetch;
  const { TrackClient } = await import('customerio-node');
  imported = performance.now();
  const client = new TrackClient('s', 'k');
  await client.identify('user-1', { plan: 'monthly' });
  status = 200;
} else if (what === 'hand') {
  // The hand-written minimum on the same fetch API: Web Crypto HMAC check, JSON.parse, one (stubbed) fetch.
  imported = performance.now();
  const request = new Request('http://localhost/webhooks/purchasely', {
    method: 'POST',
    headers: JSON.parse(process.env.WEBHOOK_HEADERS),
    body: process.env.WEBHOOK_BODY,
  });
  const body = new Uint8Array(await request.arrayBuffer());
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(process.env.WEBHOOK_SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const timestamp = encoder.encode(request.headers.get('x-purchasely-timestamp') ?? '');
  const signed = new Uint8Array(timestamp.length + body.length);
  signed.set(timestamp);
  signed.set(body, timestamp.length);
  const hex = request.headers.get('x-purchasely-request-signature') ?? '';
  const signature = new Uint8Array(
    hex.match(/../g)?.map((byte) => Number.parseInt(byte, 16)) ?? [],
  );
  const valid = await crypto.subtle.verify('HMAC', key, signature, signed);
  const event = JSON.parse(new TextDecoder().decode(body));
  const upstream = await stubFetch('http://customerio.invalid/api/v2/batch', {
    method: 'POST',
    body: JSON.stringify({ batch: [{ type: 'person', action: 'event', name: event.event_name }] }),
  });
  await upstream.text();
  const response = new Response('{"status":"forwarded"}', { status: valid ? 200 : 401 });
  await response.text();
  status = response.status;
} else {
  imported = performance.now();
  status = 0;
}
const done = performance.now();
// CPU time (all threads, user + system) from import to answer: less swayed by a busy machine than wall time.
const cpu = process.cpuUsage(cpuAtStart);
console.log(
  `RESULT ${JSON.stringify({
    what,
    node: process.version,
    status,
    importMs: Number((imported - sinceStart).toFixed(2)),
    importToAnswerMs: Number((done - sinceStart).toFixed(2)),
    importToAnswerCpuMs: Number(((cpu.user + cpu.system) / 1000).toFixed(2)),
    processStartToAnswerMs: Number(done.toFixed(2)),
  })}`,
);

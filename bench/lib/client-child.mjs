/**
 * One Track client side, run in its own process (under the Node 22 binary): `identify` then `track` for
 * each of N people, at most C people in flight, against the emulator at EMULATOR_URL. Prints
 * `RESULT {…}`.
 *
 * SIDE: `bridge` (the product path in direct mode: `createPurchaselyBridge().handle()` for a signed webhook,
 * which sends one v2 batch request per event; the webhooks are signed before the clock starts), `ours`
 * (createCustomerIoClient: identify + track), `customerio-node` (TrackClient: identify + track), `fetch`
 * (raw fetch, the minimum), or `batcher` (our client's batcher, one v2 event operation per event).
 * RATE_LIMIT: our client's own limiter in requests per second (`0` = off, as for the other sides).
 */
const side = process.env.SIDE;
const baseUrl = process.env.EMULATOR_URL;
const count = Number(process.env.N);
const concurrency = Number(process.env.C ?? 32);
const warmup = Number(process.env.WARMUP ?? 0);
const tag = process.env.TAG ?? 'x';
const rateLimit = Number(process.env.RATE_LIMIT ?? 0);
const siteId = 'bench-site';
const apiKey = 'bench-key';

const attributes = (index) => ({
  plan: 'monthly',
  product: 'PURCHASELY_PLUS',
  store: 'GOOGLE_PLAY_STORE',
  subscription_status: 'AUTO_RENEWING',
  index,
});
const eventData = (index) => ({
  plan: 'monthly',
  amount_in_eur: 9.99,
  store: 'GOOGLE_PLAY_STORE',
  index,
});
const EVENT = 'subscription_renewed';

let failures = 0;
let firstError;
const noteError = (error) => {
  failures++;
  firstError ??= String(error?.message ?? error);
};

async function makeSide() {
  if (side === 'bridge') {
    const { createPurchaselyBridge } = await import('@purchasely-customerio/core');
    const { purchaselyEvent, signedPurchaselyWebhook } = await import(
      '@purchasely-customerio/testing'
    );
    const secret = 'bench-bridge-secret';
    const bridge = createPurchaselyBridge({
      webhookSecret: secret,
      logger: false,
      customerio: { siteId, apiKey, region: 'us', baseUrl, rateLimit: false },
    });
    const signed = new Map();
    return {
      // Signing is the sender's work, not the bridge's: done for every id before the clock starts.
      prepare: async (ids) => {
        for (const id of ids) {
          const webhook = await signedPurchaselyWebhook({
            secret,
            body: purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: id }),
          });
          signed.set(id, { method: 'POST', headers: webhook.headers, body: webhook.body });
        }
      },
      send: async (id) => {
        const answer = await bridge.handle(signed.get(id));
        signed.delete(id);
        if (answer.status !== 200) throw new Error(`bridge answered ${answer.status}`);
      },
    };
  }
  if (side === 'ours' || side === 'batcher') {
    const { createCustomerIoClient } = await import('@purchasely-customerio/core');
    const client = createCustomerIoClient({
      siteId,
      apiKey,
      region: 'us',
      baseUrl,
      rateLimit: rateLimit > 0 ? { requestsPerSecond: rateLimit } : false,
    });
    if (side === 'batcher') return { client };
    return {
      send: async (id, index) => {
        await client.identify(id, attributes(index));
        await client.track(id, { name: EVENT, data: eventData(index) });
      },
    };
  }
  if (side === 'customerio-node') {
    const { TrackClient } = await import('customerio-node');
    const client = new TrackClient(siteId, apiKey, { url: `${baseUrl}/api/v1` });
    return {
      send: async (id, index) => {
        await client.identify(id, attributes(index));
        await client.track(id, { name: EVENT, data: eventData(index) });
      },
    };
  }
  if (side === 'fetch') {
    const authorization = `Basic ${btoa(`${siteId}:${apiKey}`)}`;
    const headers = { authorization, 'content-type': 'application/json' };
    const call = async (method, path, body) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    };
    return {
      send: async (id, index) => {
        const path = `/api/v1/customers/${encodeURIComponent(id)}`;
        await call('PUT', path, attributes(index));
        await call('POST', `${path}/events`, { name: EVENT, data: eventData(index) });
      },
    };
  }
  throw new Error(`unknown SIDE ${side}`);
}

async function runPerEvent(send, total, prefix) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      await send(`${prefix}-${index}`, index).catch(noteError);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

async function runBatcher(client, total, prefix) {
  const batcher = client.createBatcher({
    onError: (error, operations) => {
      failures += operations.length;
      firstError ??= String(error?.message ?? error);
    },
  });
  const timestamp = Math.floor(Date.now() / 1000);
  for (let index = 0; index < total; index++) {
    await batcher.add({
      type: 'person',
      action: 'event',
      identifiers: { id: `${prefix}-${index % 10_000}` },
      name: EVENT,
      timestamp,
      attributes: eventData(index),
    });
  }
  await batcher.close();
  return batcher.stats;
}

const sideImpl = await makeSide();
const ids = (total, prefix) => Array.from({ length: total }, (_, index) => `${prefix}-${index}`);
await sideImpl.prepare?.([...ids(warmup, `warm-${tag}`), ...ids(count, `user-${tag}`)]);
if (warmup > 0 && sideImpl.send) await runPerEvent(sideImpl.send, warmup, `warm-${tag}`);
const measuredFailuresBefore = failures;
const started = performance.now();
let batcherStats;
if (sideImpl.send) await runPerEvent(sideImpl.send, count, `user-${tag}`);
else batcherStats = await runBatcher(sideImpl.client, count, `user-${tag}`);
const elapsedMs = performance.now() - started;
console.log(
  `RESULT ${JSON.stringify({
    side,
    node: process.version,
    events: count,
    elapsedMs: Number(elapsedMs.toFixed(1)),
    eventsPerSecond: Number(((count / elapsedMs) * 1000).toFixed(1)),
    failedEvents: failures - measuredFailuresBefore,
    firstError,
    batcherStats,
  })}`,
);

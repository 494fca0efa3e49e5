/**
 * One webhook server on 127.0.0.1, forwarding to the emulator at CUSTOMERIO_BASE_URL. `argv[2]` picks it:
 * - `baseline`: the hand-written minimum (node:http, a node:crypto HMAC check, one fetch);
 * - `express`: Express 5 with `@purchasely-customerio/adapters/express`;
 * - `hono`: Hono on `@hono/node-server` with `@purchasely-customerio/adapters/hono`;
 * - `fetch`: `@purchasely-customerio/adapters/fetch` served by `@hono/node-server`'s adapter.
 * Prints `READY {"port":…}` once listening.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const kind = process.argv[2];
const PATH = '/webhooks/purchasely';
const secret = process.env.WEBHOOK_SECRET;
const baseUrl = process.env.CUSTOMERIO_BASE_URL;
const customerio = {
  siteId: 'bench-site',
  apiKey: 'bench-key',
  region: 'us',
  baseUrl,
  rateLimit: false,
};

async function bridgeConfig() {
  return { webhookSecret: secret, customerio };
}

let server;
if (kind === 'baseline') {
  server = createServer(baselineHandler);
} else if (kind === 'express') {
  const { default: express } = await import('express');
  const { purchaselyWebhook } = await import('@purchasely-customerio/adapters/express');
  const app = express();
  app.post(PATH, purchaselyWebhook(await bridgeConfig()));
  server = createServer(app);
} else if (kind === 'hono') {
  const { Hono } = await import('hono');
  const { createAdaptorServer } = await import('@hono/node-server');
  const { purchaselyWebhook } = await import('@purchasely-customerio/adapters/hono');
  const app = new Hono();
  app.post(PATH, purchaselyWebhook(await bridgeConfig()));
  server = createAdaptorServer({ fetch: app.fetch });
} else if (kind === 'fetch') {
  const { createAdaptorServer } = await import('@hono/node-server');
  const { purchaselyWebhook } = await import('@purchasely-customerio/adapters/fetch');
  const handler = purchaselyWebhook(await bridgeConfig());
  server = createAdaptorServer({ fetch: handler });
} else {
  throw new Error(`unknown server kind ${kind}`);
}

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`READY ${JSON.stringify({ port: server.address().port, kind })}`);
});
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => {
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
  });

// --- the baseline: what a careful hand-written receiver does at the least -----------------------
const authorization = `Basic ${Buffer.from(`${customerio.siteId}:${customerio.apiKey}`).toString('base64')}`;
const batchUrl = `${baseUrl}/api/v2/batch`;

function baselineHandler(request, response) {
  if (request.method !== 'POST' || request.url !== PATH) {
    response.writeHead(404).end();
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    const body = Buffer.concat(chunks);
    const timestamp = request.headers['x-purchasely-timestamp'] ?? '';
    const signature = Buffer.from(
      String(request.headers['x-purchasely-request-signature'] ?? ''),
      'hex',
    );
    const expected = createHmac('sha256', secret).update(timestamp).update(body).digest();
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      response.writeHead(401).end();
      return;
    }
    const event = JSON.parse(body.toString('utf8'));
    const identifiers = { id: event.user_id };
    const timestampSeconds = Math.floor(event.event_created_at_ms / 1000);
    const upstream = await fetch(batchUrl, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [
          {
            type: 'person',
            action: 'identify',
            identifiers,
            attributes: {
              plan: event.plan,
              product: event.product,
              store: event.store,
              subscription_status: event.subscription_status,
              last_event: event.event_name,
            },
            timestamp: timestampSeconds,
          },
          {
            type: 'person',
            action: 'event',
            identifiers,
            name: event.event_name,
            timestamp: timestampSeconds,
            attributes: event,
          },
        ],
      }),
    });
    await upstream.arrayBuffer();
    response.writeHead(upstream.ok ? 200 : 503, { 'content-type': 'application/json' });
    response.end('{"status":"forwarded"}');
  });
}

/**
 * One webhook server on 127.0.0.1: `node webhook-server.mjs <framework> <impl> <mode>`, prints
 * `READY {"port":…}` once listening.
 * - framework: `express` (Express 5 on node:http), `hono` (Hono on @hono/node-server), `fetch` (a plain
 *   `(Request) => Response` function served by @hono/node-server);
 * - impl: `ours` (the framework's adapter from `@purchasely-customerio/adapters`) or `hand` (the hand-written
 *   minimum on the same framework, below);
 * - mode: `direct` (deliver to Customer.io before answering: the hand-written one checks the HMAC, parses
 *   the JSON and sends one fetch to the emulator at CUSTOMERIO_BASE_URL) or `queue` (answer once the event
 *   is in Redis at REDIS_PORT: ours with `createRedisStore` + `createBullMqQueue`, the hand-written one
 *   checks the HMAC, parses the JSON and does one `LPUSH`). No worker runs here: the queue is drained by
 *   whoever measures delivery.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const [framework, impl, mode] = process.argv.slice(2);
const PATH = '/webhooks/purchasely';
const secret = process.env.WEBHOOK_SECRET;
const baseUrl = process.env.CUSTOMERIO_BASE_URL;
const redisPort = Number(process.env.REDIS_PORT);
const QUEUE_NAME = process.env.QUEUE_NAME ?? 'bench-webhook';
const customerio = {
  siteId: 'bench-site',
  apiKey: 'bench-key',
  region: 'us',
  baseUrl,
  rateLimit: false,
};
const closing = [];

async function bridgeConfig() {
  if (mode === 'direct') return { webhookSecret: secret, customerio, logger: false };
  const redisPackage = await import('@purchasely-customerio/redis');
  const { Redis } = await import('ioredis');
  const redis = new Redis({ host: '127.0.0.1', port: redisPort });
  closing.push(async () => redis.disconnect());
  const queue = redisPackage.createBullMqQueue({
    connection: { host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: null },
    name: QUEUE_NAME,
  });
  closing.unshift(() => queue.close());
  return {
    webhookSecret: secret,
    customerio,
    logger: false,
    store: redisPackage.createRedisStore({ redis: redisPackage.fromIoredis(redis) }),
    queue,
  };
}

// --- the hand-written minimum: verify, parse, then one fetch (direct) or one Redis write (queue) --------
const authorization = `Basic ${Buffer.from(`${customerio.siteId}:${customerio.apiKey}`).toString('base64')}`;
const batchUrl = `${baseUrl}/api/v2/batch`;

function verified(timestamp, signatureHex, body) {
  const signature = Buffer.from(String(signatureHex ?? ''), 'hex');
  const expected = createHmac('sha256', secret)
    .update(String(timestamp ?? ''))
    .update(body)
    .digest();
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}

function batchOf(event) {
  const identifiers = { id: event.user_id };
  const timestamp = Math.floor(event.event_created_at_ms / 1000);
  return JSON.stringify({
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
        timestamp,
      },
      {
        type: 'person',
        action: 'event',
        identifiers,
        name: event.event_name,
        timestamp,
        attributes: event,
      },
    ],
  });
}

let handRedis;
async function handDeliver(body) {
  const event = JSON.parse(body.toString('utf8'));
  if (mode === 'queue') {
    await handRedis.lpush('bench:hand-queue', JSON.stringify(event));
    return true;
  }
  const upstream = await fetch(batchUrl, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: batchOf(event),
  });
  await upstream.arrayBuffer();
  return upstream.ok;
}

/** The same minimum for a fetch-style handler (Hono and the plain fetch function). */
async function handFetch(request) {
  const body = Buffer.from(await request.arrayBuffer());
  const ok = verified(
    request.headers.get('x-purchasely-timestamp'),
    request.headers.get('x-purchasely-request-signature'),
    body,
  );
  if (!ok) return new Response(null, { status: 401 });
  const delivered = await handDeliver(body);
  return Response.json({ status: delivered ? 'ok' : 'retry' }, { status: delivered ? 200 : 503 });
}

// --- the server ------------------------------------------------------------------------------------
if (impl === 'hand' && mode === 'queue') {
  const { Redis } = await import('ioredis');
  handRedis = new Redis({ host: '127.0.0.1', port: redisPort });
  closing.push(async () => handRedis.disconnect());
}

let server;
if (framework === 'express') {
  const { default: express } = await import('express');
  const app = express();
  if (impl === 'ours') {
    const { purchaselyWebhook } = await import('@purchasely-customerio/adapters/express');
    app.post(PATH, purchaselyWebhook(await bridgeConfig()));
  } else {
    app.post(PATH, express.raw({ type: '*/*' }), async (request, response) => {
      if (
        !verified(
          request.get('x-purchasely-timestamp'),
          request.get('x-purchasely-request-signature'),
          request.body,
        )
      ) {
        response.status(401).end();
        return;
      }
      const delivered = await handDeliver(request.body);
      response.status(delivered ? 200 : 503).json({ status: delivered ? 'ok' : 'retry' });
    });
  }
  server = createServer(app);
} else if (framework === 'hono') {
  const { Hono } = await import('hono');
  const { createAdaptorServer } = await import('@hono/node-server');
  const app = new Hono();
  if (impl === 'ours') {
    const { purchaselyWebhook } = await import('@purchasely-customerio/adapters/hono');
    app.post(PATH, purchaselyWebhook(await bridgeConfig()));
  } else {
    app.post(PATH, (context) => handFetch(context.req.raw));
  }
  server = createAdaptorServer({ fetch: app.fetch });
} else if (framework === 'fetch') {
  const { createAdaptorServer } = await import('@hono/node-server');
  let handler;
  if (impl === 'ours') {
    const { purchaselyWebhook } = await import('@purchasely-customerio/adapters/fetch');
    handler = purchaselyWebhook(await bridgeConfig());
  } else {
    handler = handFetch;
  }
  server = createAdaptorServer({ fetch: handler });
} else {
  throw new Error(`unknown framework ${framework}`);
}

server.keepAliveTimeout = 60_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(
    `READY ${JSON.stringify({ port: server.address().port, pid: process.pid, framework, impl, mode })}`,
  );
});
for (const signal of ['SIGTERM', 'SIGINT'])
  process.once(signal, async () => {
    server.closeAllConnections?.();
    server.close();
    for (const close of closing) await close().catch(() => {});
    process.exit(0);
  });

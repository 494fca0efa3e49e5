/**
 * `pnpm start`: the server alone, configured from environment variables (see config.ts). Exits at once, with
 * a message saying what to fix, on missing or invalid settings, credentials Customer.io refuses, or a Redis
 * it cannot reach.
 *
 * Without `REDIS_URL`: one process, memory store, direct mode. With it: the Redis store and shared rate
 * limit; with `DELIVERY_MODE=queue` too, webhooks are answered once Redis has them, and a delivery worker
 * runs here (`WORKER=inline`, the default) or in `pnpm worker` processes (`WORKER=separate`).
 */
import { createServer } from 'node:http';
import { PurchaselyBridgeConfigError } from '@purchasely-customerio/core';
import type { DeliveryWorker } from '@purchasely-customerio/redis';
import { createApp, createBridge } from './app.js';
import { openRedis, type RedisRuntime } from './redis.js';
import {
  checkCustomerIo,
  checkRedis,
  fail,
  loadConfigOrExit,
  onShutdownSignal,
} from './startup.js';

const config = loadConfigOrExit(process.env);
await checkCustomerIo(config);

let redis: RedisRuntime | undefined;
if (config.redis) {
  redis = openRedis({ ...config, redis: config.redis });
  await checkRedis(redis);
}

let bridge: ReturnType<typeof createBridge>;
try {
  bridge = createBridge(redis?.bridge ?? config.bridge);
} catch (error) {
  if (error instanceof PurchaselyBridgeConfigError)
    fail(`Invalid bridge configuration: ${error.message}`);
  throw error;
}

let worker: DeliveryWorker | undefined;
if (redis && config.redis?.delivery === 'queue' && config.redis.worker === 'inline') {
  worker = await redis.startWorker(bridge);
}

const server = createServer(createApp(bridge));
server.once('error', (error: NodeJS.ErrnoException) => {
  fail(
    error.code === 'EADDRINUSE'
      ? `Port ${config.port} is already in use: set PORT to a free port.`
      : `Could not start the server: ${error.message}`,
  );
});
server.listen(config.port, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const { customerio } = config.bridge;
  console.log(`Purchasely webhooks: POST http://localhost:${port}/webhooks/purchasely`);
  console.log(
    `Customer.io: ${customerio.baseUrl ?? `region ${customerio.region}`}; sandbox events: ${config.bridge.sandbox}`,
  );
  if (!config.redis || !redis) {
    console.log('Delivery: direct; store and rate limit in this process (no REDIS_URL)');
  } else if (config.redis.delivery === 'direct') {
    console.log(`Delivery: direct; store and rate limit shared in Redis (${redis.where})`);
  } else {
    console.log(
      `Delivery: queue in Redis (${redis.where}); ${worker ? `worker in this process (concurrency ${config.redis.workerConcurrency})` : 'no worker here: run pnpm worker'}`,
    );
  }
});

onShutdownSignal(async () => {
  // Stop taking webhooks and let the ones being answered finish (at most 10 s), while the worker stops
  // taking jobs and finishes its batches in flight; then close the queue and the Redis connections.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 10_000);
  await Promise.all([closed, worker?.close()]);
  clearTimeout(force);
  await redis?.close();
});

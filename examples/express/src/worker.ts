/**
 * `pnpm worker`: a queue-mode delivery worker alone, from the same environment as the server (config.ts;
 * `DELIVERY_MODE=queue` and `REDIS_URL` required). Takes the events the web processes queued in Redis and
 * delivers them to Customer.io in batches, under the shared rate limit. Run as many as you like; SIGTERM
 * or SIGINT stops taking jobs, finishes the batches in flight and closes the connections.
 */
import { createPurchaselyBridge, PurchaselyBridgeConfigError } from '@purchasely-customerio/core';
import { openRedis } from './redis.js';
import {
  checkCustomerIo,
  checkRedis,
  fail,
  loadConfigOrExit,
  onShutdownSignal,
} from './startup.js';

const config = loadConfigOrExit(process.env);
if (config.redis?.delivery !== 'queue') {
  fail(
    "pnpm worker delivers queue mode's events: set DELIVERY_MODE=queue and REDIS_URL, as for the server (and WORKER=separate on the server).",
  );
}
await checkCustomerIo(config);
const redis = openRedis({ ...config, redis: config.redis });
await checkRedis(redis);

let bridge: ReturnType<typeof createPurchaselyBridge>;
try {
  // The delivering half: no handlers (they ran when the webhook was received), no queue.
  bridge = createPurchaselyBridge(redis.deliveryBridge);
} catch (error) {
  if (error instanceof PurchaselyBridgeConfigError)
    fail(`Invalid bridge configuration: ${error.message}`);
  throw error;
}
const worker = await redis.startWorker(bridge);
console.log(
  `Delivery worker: queue in Redis (${redis.where}), concurrency ${config.redis.workerConcurrency}; Customer.io: ${config.bridge.customerio.baseUrl ?? `region ${config.bridge.customerio.region}`}`,
);

onShutdownSignal(async () => {
  await worker.close();
  await redis.close();
});

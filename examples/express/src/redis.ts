/**
 * The bridge on Redis, from `REDIS_URL` (see config.ts): the shared store (claims and each person's
 * subscription state), the shared rate limit (one schedule per Customer.io workspace) and, with
 * `DELIVERY_MODE=queue`, the BullMQ queue and its worker. Used by server.ts and worker.ts.
 */
import type { PurchaselyBridge, PurchaselyBridgeConfig } from '@purchasely-customerio/core';
import {
  type BullMqDeliveryQueue,
  createBullMqQueue,
  createRedisRateLimiter,
  createRedisStore,
  type DeliveryWorker,
  fromIoredis,
  startDeliveryWorker,
} from '@purchasely-customerio/redis';
import { Redis } from 'ioredis';
import { describeRedisUrl, type RedisSettings, type ServerConfig } from './config.js';

export interface RedisRuntime {
  /** `redis://host:port`, without credentials: for logs. */
  readonly where: string;
  /** The bridge configuration with the Redis store, the shared rate limit and, in queue mode, the queue. */
  readonly bridge: PurchaselyBridgeConfig;
  /** The same, without the queue: for a worker's bridge, whose `deliver()` sends to Customer.io. */
  readonly deliveryBridge: PurchaselyBridgeConfig;
  /** Resolves once Redis answers PING; rejects after `timeoutMs` with a message without the URL. */
  ping(timeoutMs?: number): Promise<void>;
  /** Starts a delivery worker in this process (queue mode). */
  startWorker(bridge: Pick<PurchaselyBridge, 'deliver'>): Promise<DeliveryWorker>;
  /** Closes the queue and the Redis connections (close workers and servers first). */
  close(): Promise<void>;
}

/** Opens the Redis connections (ioredis connects, and reconnects, by itself). */
export function openRedis(config: ServerConfig & { redis: RedisSettings }): RedisRuntime {
  const settings = config.redis;
  const where = describeRedisUrl(settings.url);
  let lastError = '';
  const onError = (error: Error) => {
    // ioredis reconnects by itself; say it once per distinct error, not on every retry.
    if (error.message === lastError) return;
    lastError = error.message;
    console.error(`Redis (${where}): ${error.message}`);
  };
  const onReady = () => {
    if (lastError !== '') console.error(`Redis (${where}): connected again`);
    lastError = '';
  };

  // Store and rate limiter: commands fail after a few reconnection attempts, so a Redis outage gives 503s
  // (Purchasely re-delivers) rather than requests hanging. The rate limiter falls back to a local one.
  const commands = new Redis(settings.url, { maxRetriesPerRequest: 2 });
  commands.on('error', onError).on('ready', onReady);
  // BullMQ: its workers require maxRetriesPerRequest null; the queue gives up after enqueueTimeoutMs (5 s).
  const queueConnection =
    settings.delivery === 'queue'
      ? new Redis(settings.url, { maxRetriesPerRequest: null })
      : undefined;
  queueConnection?.on('error', onError);

  const redis = fromIoredis(commands);
  const { customerio } = config.bridge;
  const deliveryBridge: PurchaselyBridgeConfig = {
    ...config.bridge,
    store: createRedisStore({ redis }),
    customerio: {
      ...customerio,
      rateLimit: createRedisRateLimiter({
        redis,
        workspace: customerio.siteId,
        logger: {
          warn: (_fields, message) => console.error(`Rate limit: ${message}`),
          info: (_fields, message) => console.log(`Rate limit: ${message}`),
        },
      }),
    },
  };
  const queue: BullMqDeliveryQueue | undefined = queueConnection
    ? createBullMqQueue({ connection: queueConnection })
    : undefined;
  const workers = new Set<DeliveryWorker>();

  return {
    where,
    bridge: queue ? { ...deliveryBridge, queue } : deliveryBridge,
    deliveryBridge,
    async ping(timeoutMs = 5_000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          commands.ping(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new Error(
                    `no answer within ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}`,
                  ),
                ),
              timeoutMs,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async startWorker(bridge) {
      if (!queueConnection) throw new Error('a worker needs DELIVERY_MODE=queue');
      const worker = await startDeliveryWorker({
        bridge,
        connection: queueConnection,
        concurrency: settings.workerConcurrency,
        onError: (error) => onError(error),
      });
      workers.add(worker);
      return worker;
    },
    async close() {
      await Promise.allSettled([...workers].map((worker) => worker.close()));
      await queue?.close();
      await Promise.allSettled(
        [commands, queueConnection].map(async (client) => {
          if (!client) return;
          // quit() waits for pending replies; disconnect() when the connection is already down.
          if (client.status === 'ready') await client.quit();
          else client.disconnect();
        }),
      );
    },
  };
}

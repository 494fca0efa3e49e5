import { createPurchaselyBridge, type PurchaselyBridge } from '@purchasely-customerio/core';
import {
  type BullMqDeliveryQueue,
  createBullMqQueue,
  createRedisStore,
  fromIoredis,
} from '@purchasely-customerio/redis';
import { type CustomerIoEmulator, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from '../../redis/test/redis-server.js';

export const WEBHOOK_SECRET = 'whsec_cli_queue_secret_never_printed';
export const REDIS_PASSWORD = 'redis-password-never-printed';

/** A real redis-server that requires a password (set after start: the start-up PING has none). */
export async function startPasswordRedis(): Promise<{
  server: RedisServer;
  url: string;
  options: { host: string; port: number; password: string };
}> {
  const server = await startRedisServer();
  const admin = new Redis({ host: server.host, port: server.port });
  await admin.config('SET', 'requirepass', REDIS_PASSWORD);
  admin.disconnect();
  return {
    server,
    url: `redis://:${REDIS_PASSWORD}@${server.host}:${server.port}`,
    options: { host: server.host, port: server.port, password: REDIS_PASSWORD },
  };
}

/** The receiving half of queue mode, as a web process runs it: the bridge queues what it accepts. */
export function receivingBridge(
  redis: { host: string; port: number; password: string },
  name: string,
  customerio: { baseUrl?: string; fetch?: CustomerIoEmulator['fetch'] },
): { bridge: PurchaselyBridge; queue: BullMqDeliveryQueue; close(): Promise<void> } {
  const commands = new Redis({ ...redis, maxRetriesPerRequest: 2 });
  const queue = createBullMqQueue({ connection: { ...redis, maxRetriesPerRequest: null }, name });
  const bridge = createPurchaselyBridge({
    webhookSecret: WEBHOOK_SECRET,
    customerio: {
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      rateLimit: false,
      retry: false,
      ...customerio,
    },
    queue,
    store: createRedisStore({ redis: fromIoredis(commands) }),
    logger: false,
  });
  return {
    bridge,
    queue,
    async close() {
      await queue.close();
      await commands.quit();
    },
  };
}

/** Purchasely's call, signed: resolves with the bridge's status. */
export async function receive(bridge: PurchaselyBridge, body: object): Promise<number> {
  const webhook = await signedPurchaselyWebhook({ secret: WEBHOOK_SECRET, body });
  return (await bridge.handle({ method: 'POST', ...webhook })).status;
}

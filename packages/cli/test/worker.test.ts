import {
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
} from '@purchasely-customerio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisServer } from '../../redis/test/redis-server.js';
import { until } from './helpers.js';
import { REDIS_PASSWORD, receive, receivingBridge, startPasswordRedis } from './queue-fixture.js';
import { runCli, startCli } from './run-cli.js';

const API_KEY = 'cio_worker_key_never_printed';

describe('worker: queue mode delivery from the environment, on a real Redis', () => {
  let redis: Awaited<ReturnType<typeof startPasswordRedis>>;
  let server: RedisServer;
  const emulator = createCustomerIoEmulator({
    workspaces: [{ siteId: 'worker-site', apiKey: API_KEY, region: 'us' }],
  });
  let customerio: LoopbackServer;
  beforeAll(async () => {
    redis = await startPasswordRedis();
    server = redis.server;
    customerio = await emulator.listen();
  });
  afterAll(async () => {
    await customerio?.close();
    await server?.stop();
  });
  const env = () => ({
    REDIS_URL: redis.url,
    CUSTOMERIO_SITE_ID: 'worker-site',
    CUSTOMERIO_API_KEY: API_KEY,
    CUSTOMERIO_BASE_URL: customerio.url,
  });

  it('delivers the queued events to Customer.io, then SIGTERM: finishes, closes, exit 0; no password or key printed', async () => {
    const receiving = receivingBridge(redis.options, 'worker-queue', {});
    try {
      for (let i = 0; i < 5; i++) {
        const status = await receive(
          receiving.bridge,
          purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: `worker-user-${i}` }),
        );
        expect(status).toBe(200);
      }
      expect(emulator.events).toHaveLength(0);
      const worker = startCli(['worker', '--queue', 'worker-queue', '--batch-size', '3'], {
        env: env(),
      });
      await worker.waitFor(
        /Delivery worker: queue worker-queue in redis:\/\/127\.0\.0\.1:\d+, batches of up to 3/,
      );
      await until(() => emulator.events.length === 5);
      // One more while it runs.
      await receive(
        receiving.bridge,
        purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'worker-user-0' }),
      );
      await until(() => emulator.events.length === 6);
      expect(new Set(emulator.events.map((event) => event.personId)).size).toBe(5);
      expect(await worker.stop('SIGTERM')).toBe(0);
      expect(worker.output()).toMatch(
        /SIGTERM: finishing the batches in flight…\nStopped: 6 events delivered, 0 failed attempts/,
      );
      expect(worker.output()).not.toContain(REDIS_PASSWORD);
      expect(worker.output()).not.toContain(API_KEY);
    } finally {
      await receiving.close();
    }
  });

  it('refused credentials: exit 1 before taking work; no REDIS_URL: exit 2; a wrong Redis password: exit 1 without it', async () => {
    const refused = await runCli(['worker'], {
      env: { ...env(), CUSTOMERIO_API_KEY: 'wrong-key' },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Customer.io refused the site id / API key (HTTP 401)');
    const noRedis = await runCli(['worker'], { env: { ...env(), REDIS_URL: undefined } });
    expect([noRedis.code, noRedis.stderr]).toEqual([
      2,
      expect.stringContaining('--redis-url or REDIS_URL'),
    ]);
    const badUrl = `redis://:not-the-password@${server.host}:${server.port}`;
    const badPassword = await runCli(['worker'], { env: { ...env(), REDIS_URL: badUrl } });
    expect(badPassword.code).toBe(1);
    expect(badPassword.stderr).toContain(
      `Could not reach Redis at redis://${server.host}:${server.port}`,
    );
    expect(badPassword.stderr).not.toContain('not-the-password');
  });
});

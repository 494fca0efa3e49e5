import { createCustomerIoClient, isCustomerIoDeadlineError } from '@purchasely-customerio/core';
import { createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter, fromIoredis } from '../src/index.js';
import { connect, type TestClient } from './clients.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

describe('the rate limit shared in Redis', () => {
  let server: RedisServer;
  let first: TestClient;
  let second: TestClient;
  beforeAll(async () => {
    server = await startRedisServer();
    first = await connect('ioredis 5', server);
    second = await connect('node-redis 5', server);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await server?.stop();
  });

  /** A limiter on its own connection, recording the waits it is told to make instead of making them. */
  function limiter(client: TestClient, workspace: string, waits: number[], rps = 10) {
    return createRedisRateLimiter({
      redis: client.commands,
      workspace,
      requestsPerSecond: rps,
      sleep: async (ms) => void waits.push(ms),
    });
  }

  it('two processes (two connections, two clients) take slots from one schedule', async () => {
    const waits: number[] = [];
    const workspace = `site-${crypto.randomUUID()}`;
    const a = limiter(first, workspace, waits);
    const b = limiter(second, workspace, waits);
    for (let i = 0; i < 10; i += 1) await (i % 2 === 0 ? a : b).acquire();
    // One slot every 100 ms across both, less the few ms the calls themselves took (Redis' clock runs on).
    const slots = [0, ...waits];
    expect(slots).toHaveLength(10);
    slots.forEach((wait, index) => {
      expect(wait).toBeLessThanOrEqual(index * 100);
      expect(wait).toBeGreaterThan(index * 100 - 60);
    });
  });

  it('workspaces have schedules of their own', async () => {
    const waits: number[] = [];
    await limiter(first, `site-${crypto.randomUUID()}`, waits).acquire();
    await limiter(first, `site-${crypto.randomUUID()}`, waits).acquire();
    expect(waits).toEqual([]);
  });

  it('a wait past the deadline is refused at once, and takes no slot', async () => {
    const waits: number[] = [];
    const workspace = `site-${crypto.randomUUID()}`;
    const slow = limiter(first, workspace, waits, 1);
    await slow.acquire();
    const refusal = await slow.acquire({ deadline: Date.now() + 100 }).catch((error) => error);
    expect(isCustomerIoDeadlineError(refusal)).toBe(true);
    // The next caller gets the slot the refused one did not take: about 1 s away, not 2 s.
    await slow.acquire();
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(900);
    expect(waits[0]).toBeLessThanOrEqual(1000);
  });

  it('a Customer.io client uses it before every request', async () => {
    const emulator = createCustomerIoEmulator();
    const waits: number[] = [];
    const client = createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      fetch: (input, init) => emulator.fetch(input, init),
      rateLimit: limiter(first, `site-${crypto.randomUUID()}`, waits),
    });
    await client.identify('a', {});
    await client.identify('b', {});
    expect(emulator.requests).toHaveLength(2);
    expect(waits).toHaveLength(1);
  });

  it('Redis unreachable: this process falls back to its own limiter at the same rate, and says so once', async () => {
    const down = await startRedisServer();
    // Its own client, told not to queue commands for long while the server is gone.
    const client = new Redis({ host: down.host, port: down.port, maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    const waits: number[] = [];
    const logged: string[] = [];
    const limited = createRedisRateLimiter({
      redis: fromIoredis(client),
      workspace: 'site-fallback',
      requestsPerSecond: 1,
      redisTimeoutMs: 100,
      sleep: async (ms) => void waits.push(ms),
      logger: {
        warn: (_, message) => void logged.push(`warn: ${message}`),
        info: (_, message) => void logged.push(`info: ${message}`),
      },
    });
    await limited.acquire();
    await down.stop();
    for (let i = 0; i < 3; i += 1) await limited.acquire();
    client.disconnect();
    expect(logged).toEqual([expect.stringMatching(/^warn: .*cannot be reached/)]);
    // The local limiter spaces the three requests made without Redis: about 1 s apart.
    expect(waits).toHaveLength(2);
    for (const wait of waits) expect(wait).toBeGreaterThan(500);
  });
});

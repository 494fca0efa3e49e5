import { createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { describe, expect, it, vi } from 'vitest';
import { createCustomerIoClient } from '../../src/customerio/index.js';
import { onFakeClock, retryLogger, type SleepLog } from './helpers.js';

describe('client-side rate limiting', () => {
  it('spaces every request of one client, with an injected clock', async () => {
    const emulator = createCustomerIoEmulator();
    const waits: number[] = [];
    const client = createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      fetch: (input, init) => emulator.fetch(input, init),
      rateLimit: { requestsPerSecond: 10, now: () => 0, sleep: async (ms) => void waits.push(ms) },
    });
    await Promise.all([
      client.identify('a', {}),
      client.track('a', { name: 'e' }),
      client.identify('b', {}),
      client.suppress('b'),
    ]);
    // One slot every 100 ms, shared by all calls of the client.
    expect(waits).toEqual([100, 200, 300]);
    expect(emulator.requests).toHaveLength(4);
  });

  it('retries and redirect hops take a slot too', async () => {
    const emulator = createCustomerIoEmulator({
      workspaces: [{ siteId: 'eu-site', apiKey: 'eu-key', region: 'eu' }],
    });
    const waits: number[] = [];
    const client = createCustomerIoClient({
      siteId: 'eu-site',
      apiKey: 'eu-key',
      region: 'us',
      fetch: (input, init) => emulator.fetch(input, init),
      retry: { random: () => 0 },
      rateLimit: { requestsPerSecond: 10, now: () => 0, sleep: async (ms) => void waits.push(ms) },
    });
    emulator.faults.next({ status: 503 });
    await client.track('u', { name: 'e' });
    // 503, then a 301 from the US host and the EU hop: three requests, three slots.
    expect(emulator.requests.map((r) => r.status)).toEqual([503, 301, 200]);
    expect(waits).toEqual([100, 200]);
  });

  it('stays under a server-side limit of the same rate, and honours its 429s', async () => {
    // The emulator counts requests per fixed, clock-aligned second on its own clock; the client's
    // limiter advances that same fake clock, so nothing waits for real.
    let clock = 1_700_000_000_000;
    const emulator = createCustomerIoEmulator({
      rateLimit: { requestsPerSecond: 5 },
      now: () => clock,
    });
    const advance = async (ms: number) => {
      clock += ms;
    };
    const limited = createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      fetch: (input, init) => emulator.fetch(input, init),
      rateLimit: { requestsPerSecond: 5, now: () => clock, sleep: advance },
    });
    for (let i = 0; i < 12; i++) await limited.identify(`u${i}`, {});
    expect(emulator.stats.rateLimited).toBe(0);

    // Without a client-side limiter the emulator answers 429 + Retry-After: 1, which ky honours:
    // on vitest's fake clock, which the emulator reads too (Date.now).
    const onDate = createCustomerIoEmulator({
      rateLimit: { requestsPerSecond: 5 },
      now: () => Date.now(),
    });
    const log: SleepLog = { sleeps: [] };
    const unlimited = createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      fetch: (input, init) => onDate.fetch(input, init),
      rateLimit: false,
      logger: retryLogger(log),
    });
    await onFakeClock(
      log,
      async () => {
        vi.setSystemTime(1_700_000_000_000);
        for (let i = 0; i < 7; i++) await unlimited.identify(`u${i}`, {});
      },
      () => onDate.requests.length,
    );
    expect(onDate.stats.rateLimited).toBe(1);
    expect(log.sleeps).toEqual([1000]);
    expect(onDate.people.size).toBe(7);
  });

  it('takes a limiter of your own (one shared between processes, say), asked before every request with the call limits', async () => {
    const emulator = createCustomerIoEmulator();
    const asked: unknown[] = [];
    const client = createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      fetch: (input, init) => emulator.fetch(input, init),
      rateLimit: { acquire: async (limits) => void asked.push(limits?.deadline) },
    });
    await client.identify('a', {}, { deadline: 123_456 });
    await client.track('a', { name: 'e' });
    expect(asked).toEqual([123_456, undefined]);
    expect(emulator.requests).toHaveLength(2);
  });

  it('a limiter of your own that refuses sends nothing', async () => {
    const emulator = createCustomerIoEmulator();
    const client = createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      fetch: (input, init) => emulator.fetch(input, init),
      retry: false,
      rateLimit: {
        acquire: async () => {
          throw new Error('no slot before the deadline');
        },
      },
    });
    await expect(client.identify('a', {})).rejects.toThrow();
    expect(emulator.requests).toHaveLength(0);
  });
});

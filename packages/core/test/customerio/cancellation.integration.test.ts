import { createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CustomerIoAbortError,
  CustomerIoBatchError,
  CustomerIoDeadlineError,
  type CustomerIoHttpError,
  type CustomerIoLogger,
  createCustomerIoClient,
  isCustomerIoAbortError,
  isCustomerIoDeadlineError,
  type RetryOptions,
  type TrackV2Operation,
} from '../../src/customerio/index.js';
import { rejectionOf, retryLogger, type SleepLog } from './helpers.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An event operation of about `bytes` bytes of JSON. */
const event = (i: number, bytes = 20_000): TrackV2Operation => ({
  type: 'person',
  action: 'event',
  identifiers: { id: `user-${i}` },
  name: `event-${i}`,
  attributes: { blob: 'x'.repeat(bytes) },
});

describe('deadline and cancellation, over real HTTP (loopback emulator)', () => {
  const emulator = createCustomerIoEmulator();
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    server = await emulator.listen({ region: 'us' });
  });
  afterEach(() => emulator.reset());
  afterAll(() => server.close());

  /** A client on real timers: `requestsPerSecond` 5 by default, so slots are 200 ms apart. */
  const client = (
    retry: false | RetryOptions = false,
    rateLimit: {
      requestsPerSecond: number;
      now?: () => number;
      sleep?: (ms: number) => Promise<void>;
    } = {
      requestsPerSecond: 5,
    },
    logger?: CustomerIoLogger,
  ) =>
    createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      baseUrl: server.url,
      rateLimit,
      retry,
      ...(logger ? { logger } : {}),
    });

  it('sends nothing after the abort: queued calls and the in-flight request are cancelled', async () => {
    const cio = client();
    const controller = new AbortController();
    // The first request hangs in the emulator; the others wait for limiter slots (200, 400, … ms).
    emulator.faults.next({ delayMs: 5_000 });
    const calls = Array.from({ length: 5 }, (_, i) =>
      cio.identify(`queued-${i}`, { plan: 'pro' }, { signal: controller.signal }).then(
        () => 'sent',
        (error: unknown) => error,
      ),
    );
    await pause(300);
    controller.abort();
    const [hanging, sentBeforeAbort, ...queued] = await Promise.all(calls);
    const sentAtAbort = emulator.requests.length;
    expect(sentBeforeAbort).toBe('sent'); // the slot at 200 ms
    for (const error of [hanging, ...queued]) {
      expect(error).toBeInstanceOf(CustomerIoAbortError);
      expect(isCustomerIoAbortError(error)).toBe(true);
    }
    expect((hanging as CustomerIoAbortError).path).toBe('/api/v1/customers/queued-0');
    expect(sentAtAbort).toBe(2);
    await pause(700); // every remaining slot (up to 800 ms) would have passed
    expect(emulator.requests).toHaveLength(sentAtAbort);
    // The hanging request was cut off before the emulator applied it.
    expect(emulator.people.has('queued-0')).toBe(false);
    expect(emulator.people.has('queued-1')).toBe(true);
  });

  it('an already aborted signal sends nothing', async () => {
    const error = await rejectionOf(
      client().track('u', { name: 'e' }, { signal: AbortSignal.abort() }),
    );
    expect(isCustomerIoAbortError(error)).toBe(true);
    expect(emulator.requests).toHaveLength(0);
  });

  it('refuses at once a call whose limiter wait would overrun its deadline', async () => {
    const cio = client();
    const accepted = [0, 1, 2].map((i) => cio.trackAnonymous(`anon-${i}`, { name: 'e' }));
    const startedAt = Date.now();
    // The next slot is 600 ms away.
    const error = await rejectionOf(
      cio.trackAnonymous('late', { name: 'e' }, { deadline: Date.now() + 300 }),
    );
    expect(Date.now() - startedAt).toBeLessThan(100);
    expect(error).toBeInstanceOf(CustomerIoDeadlineError);
    expect(isCustomerIoDeadlineError(error)).toBe(true);
    expect((error as CustomerIoDeadlineError).path).toBe('/api/v1/events');
    await Promise.all(accepted);
    expect(emulator.requests).toHaveLength(3);
    expect(emulator.requests.map((r) => JSON.parse(r.body).anonymous_id)).not.toContain('late');
  });

  it('applies the deadline to every request of a split batch', async () => {
    // The limiter's clock is injected, and the deadline is read on it.
    let clock = 1_000_000;
    const cio = client(false, {
      requestsPerSecond: 10,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const ops = Array.from({ length: 60 }, (_, i) => event(i)); // ~1.2 MB: three requests
    const error = await rejectionOf(cio.batch(ops, { deadline: 1_000_150 }));
    expect(error).toBeInstanceOf(CustomerIoBatchError);
    expect((error as CustomerIoBatchError).requestsSent).toBe(2); // slots at +0 and +100 ms
    expect(isCustomerIoDeadlineError((error as CustomerIoBatchError).cause)).toBe(true);
    expect(emulator.requests).toHaveLength(2);
  });

  it('does not start a retry whose wait would end after the deadline', async () => {
    const log: SleepLog = { sleeps: [] };
    const cio = client({}, undefined, retryLogger(log));
    emulator.faults.next({ status: 503, retryAfter: 2 });
    const error = await rejectionOf(cio.batch([event(0, 10)], { deadline: Date.now() + 1_000 }));
    expect((error as CustomerIoHttpError).status).toBe(503);
    expect(log.sleeps).toEqual([]);
    expect(emulator.requests).toHaveLength(1);
  });
});

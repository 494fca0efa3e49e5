import { type CustomerIoEmulator, createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import {
  type CustomerIoClient,
  type CustomerIoClientOptions,
  type CustomerIoLogger,
  createCustomerIoClient,
} from '../../src/customerio/index.js';

/** The retry waits a client decided on, in order, as its retry log lines report them. */
export interface SleepLog {
  sleeps: number[];
}

/**
 * A logger that records the wait of every retry (logged when the retry is decided, before ky
 * waits) into `log`, and passes every line on to `next` when given.
 */
export function retryLogger(log: SleepLog, next?: Partial<CustomerIoLogger>): CustomerIoLogger {
  return {
    debug: (...args) => next?.debug?.(...args),
    info: (...args) => next?.info?.(...args),
    error: (...args) => next?.error?.(...args),
    warn(fields, message) {
      if (message === 'customer.io request failed; retrying') {
        log.sleeps.push((fields as { delayMs: number }).delayMs);
      }
      next?.warn?.(fields, message);
    },
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `call` on vitest's fake clock (`setTimeout`, `clearTimeout` and `Date`): whenever the client
 * logs a retry, the clock moves on by exactly the logged wait, so ky's own wait ends and the test
 * takes no real time. With `attempts`, it also proves that ky waits the logged time, no less: one
 * millisecond before the end of the wait, no new attempt has started. A wait longer than logged
 * never ends, and the call fails to settle.
 */
export async function onFakeClock<T>(
  log: SleepLog,
  call: () => Promise<T>,
  attempts?: () => number,
): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  try {
    let settled = false;
    const promise = call();
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    let taken = 0;
    for (let idle = 0; !settled; idle++) {
      if (idle > 10_000) throw new Error('the call neither settled nor logged a retry');
      await turn();
      const wait = log.sleeps[taken];
      if (wait === undefined) continue;
      taken++;
      idle = 0;
      const whole = Math.ceil(wait);
      if (attempts && whole > 0) {
        const before = attempts();
        await vi.advanceTimersByTimeAsync(whole - 1);
        for (let i = 0; i < 5; i++) await turn();
        expect(attempts(), `attempt started before the end of a ${wait} ms wait`).toBe(before);
        await vi.advanceTimersByTimeAsync(1);
      } else {
        // A 0 ms timer is due 1 ms on, as in Node.
        await vi.advanceTimersByTimeAsync(Math.max(1, whole));
      }
    }
    return await promise;
  } finally {
    vi.useRealTimers();
  }
}

/**
 * Starts one emulator behind msw for the file (unhandled requests fail the test) and resets it
 * after each test. Workspaces: the default US one plus an EU one.
 */
export function useEmulator(): { emulator: CustomerIoEmulator; server: SetupServer } {
  const emulator = createCustomerIoEmulator({
    workspaces: [
      { siteId: 'test-site', apiKey: 'test-key', region: 'us' },
      { siteId: 'eu-site', apiKey: 'eu-key', region: 'eu', environmentId: 77 },
    ],
  });
  const server = setupServer(...emulator.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    emulator.reset();
  });
  afterAll(() => server.close());
  return { emulator, server };
}

/**
 * A client for the default US workspace with recorded retry waits (`log`; jitter factor 0.5) and
 * no client-side rate limit (tested separately). The waits are ky's and real: run a call that
 * waits long {@link onFakeClock}.
 */
export function testClient(
  overrides: Partial<CustomerIoClientOptions> = {},
  log: SleepLog = { sleeps: [] },
): CustomerIoClient {
  return createCustomerIoClient({
    siteId: 'test-site',
    apiKey: 'test-key',
    region: 'us',
    rateLimit: false,
    retry: { random: () => 0.5 },
    ...overrides,
    logger: retryLogger(log, overrides.logger),
  });
}

/** The settled rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

import { type CustomerIoEmulator, createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type CustomerIoClient,
  type CustomerIoClientOptions,
  createCustomerIoClient,
} from '../../src/customerio/index.js';

/** Waits recorded by the injected retry sleep, so retry tests run instantly. */
export interface SleepLog {
  sleeps: number[];
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
 * A client for the default US workspace with instant, recorded retry waits and no client-side
 * rate limit (tested separately), so tests are fast and assert no wall-clock time.
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
    retry: {
      random: () => 0.5,
      sleep: async (ms) => {
        log.sleeps.push(ms);
      },
    },
    ...overrides,
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

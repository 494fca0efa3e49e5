import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type CustomerIoEmulator,
  createCustomerIoEmulator,
  type EmulatorOptions,
} from '../src/index.js';

export const US = 'https://track.customer.io';
export const EU = 'https://track-eu.customer.io';

export const basicAuth = (siteId = 'test-site', apiKey = 'test-key'): string => {
  const bytes = new TextEncoder().encode(`${siteId}:${apiKey}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
};

export interface CallOptions {
  base?: string;
  auth?: string | null;
  headers?: Record<string, string>;
  redirect?: RequestRedirect;
  fetch?: typeof fetch;
}

/** One Track API call with JSON in and the answer's status, content type and parsed body out. */
export async function call(
  method: string,
  path: string,
  body?: unknown,
  {
    base = US,
    auth = basicAuth(),
    headers = {},
    redirect,
    fetch: fetchImpl = fetch,
  }: CallOptions = {},
) {
  const response = await fetchImpl(`${base}${path}`, {
    method,
    headers: {
      ...(auth === null ? {} : { authorization: auth }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...(redirect === undefined ? {} : { redirect }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    headers: response.headers,
    text,
    json,
  };
}

/**
 * Starts one msw server for the test file; each `emulate()` gives a fresh emulator whose
 * handlers serve until the test ends.
 */
export function setupMsw(): (options?: EmulatorOptions) => CustomerIoEmulator {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return (options) => {
    const emulator = createCustomerIoEmulator(options);
    server.use(...emulator.handlers);
    return emulator;
  };
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A valid, deterministic ULID for the n-th event of a test. */
export function ulid(n: number): string {
  let suffix = '';
  let rest = n;
  for (let index = 0; index < 16; index += 1) {
    suffix = crockford[rest % 32] + suffix;
    rest = Math.floor(rest / 32);
  }
  return `01HZY0000A${suffix}`;
}

/** A settable millisecond clock for `now`. */
export function fakeClock(startMs = Date.UTC(2026, 0, 1)) {
  let current = startMs;
  return {
    now: () => current,
    set: (ms: number) => {
      current = ms;
    },
    advance: (ms: number) => {
      current += ms;
    },
    seconds: () => Math.floor(current / 1000),
  };
}

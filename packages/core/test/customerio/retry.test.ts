import { HTTPError } from 'ky';
import { describe, expect, it, vi } from 'vitest';
import { CustomerIoHttpError } from '../../src/customerio/errors.js';
import {
  type CustomerIoLogger,
  createCustomerIoClient,
  isCustomerIoAbortError,
  isCustomerIoValidationError,
} from '../../src/customerio/index.js';
import {
  backoffDelay,
  DEFAULT_RETRY_OPTIONS,
  isRetryableStatus,
  parseRetryAfter,
  RETRYABLE_STATUS_CODES,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  retryDelay,
} from '../../src/customerio/retry.js';

/** ky's error for one answer, as the retry policy sees it. */
const httpError = (code: number, headers: Record<string, string> = {}) =>
  new HTTPError(
    new Response(null, { status: code, headers }),
    new Request('https://track.customer.io/x', { method: 'POST' }),
    {} as never,
  );

/** Retry options with a recorded, instant sleep and a fixed random. */
function testOptions(overrides: Partial<ResolvedRetryOptions> = {}) {
  const sleeps: number[] = [];
  const options = resolveRetryOptions({
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => 0,
    ...overrides,
  });
  return { options, sleeps };
}

describe('retryable statuses', () => {
  it.each([408, 429, 500, 502, 503, 504, 522, 524, 599])('%i is retried', async (code) => {
    expect(isRetryableStatus(code)).toBe(true);
    expect(RETRYABLE_STATUS_CODES).toContain(code);
    const { client, attempts } = scripted((n) => status(n === 1 ? code : 200), recorded().retry);
    await client.identify('u', {});
    expect(attempts()).toBe(2);
  });

  it.each([400, 401, 403, 404, 409, 413, 422])('%i is never retried', async (code) => {
    expect(isRetryableStatus(code)).toBe(false);
    expect(RETRYABLE_STATUS_CODES).not.toContain(code);
    const { client, attempts } = scripted(() => status(code), recorded().retry);
    await expect(client.identify('u', {})).rejects.toMatchObject({ status: code });
    expect(attempts()).toBe(1);
  });

  it('retries network errors and timeouts, not validation errors', async () => {
    const network = scripted((n) => {
      if (n === 1) throw new TypeError('fetch failed');
      return status(200);
    }, recorded().retry);
    await network.client.identify('u', {});
    expect(network.attempts()).toBe(2);

    let calls = 0;
    const timeout = createCustomerIoClient({
      siteId: 's',
      apiKey: 'k',
      region: 'us',
      rateLimit: false,
      timeoutMs: 20,
      retry: recorded().retry,
      fetch: (_input, init) =>
        ++calls === 1
          ? new Promise<Response>((_, reject) => {
              init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
            })
          : Promise.resolve(status(200)),
    });
    await timeout.identify('u', {});
    expect(calls).toBe(2);

    const invalid = scripted(() => status(200), recorded().retry);
    const error = await invalid.client.identify('u', { '': 1 }).catch((e: unknown) => e);
    expect(isCustomerIoValidationError(error)).toBe(true);
    expect(invalid.attempts()).toBe(0);
  });
});

describe('backoffDelay: full jitter', () => {
  const base = { baseDelayMs: 200, maxDelayMs: 5000 };

  it('is random() * min(cap, base * 2^retry)', () => {
    expect(backoffDelay(0, { ...base, random: () => 0.5 })).toBe(100);
    expect(backoffDelay(1, { ...base, random: () => 0.5 })).toBe(200);
    expect(backoffDelay(3, { ...base, random: () => 0.25 })).toBe(400);
    // 200 * 2^5 = 6400 is capped at 5000.
    expect(backoffDelay(5, { ...base, random: () => 0.5 })).toBe(2500);
    expect(backoffDelay(30, { ...base, random: () => 0.999 })).toBeCloseTo(4995);
  });

  it('spans [0, ceiling) with full jitter', () => {
    expect(backoffDelay(2, { ...base, random: () => 0 })).toBe(0);
    expect(backoffDelay(2, { ...base, random: () => 0.9999 })).toBeLessThan(800);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delta seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('prefers Retry-After, capped by maxRetryAfterMs', () => {
    // ky's HTTPError, as the policy receives it.
    const { options } = testOptions({ maxRetryAfterMs: 10_000 });
    expect(retryDelay(httpError(503, { 'retry-after': '3' }), 0, options)).toBe(3000);
    expect(retryDelay(httpError(429, { 'retry-after': '3600' }), 0, options)).toBe(10_000);
    expect(retryDelay(httpError(503), 2, options)).toBe(400); // backoff: 0.5 * 800
  });
});

/**
 * The retry loop is ky's; these drive it through the client against a scripted fetch (one answer
 * per attempt), with the same injected `random`, `sleep` and `now` the loop used to take.
 */
function scripted(
  answer: (attempt: number) => Response | Promise<Response>,
  retry: RetryOptions | false,
  extra: { logger?: CustomerIoLogger } = {},
) {
  let attempts = 0;
  const client = createCustomerIoClient({
    siteId: 's',
    apiKey: 'k',
    region: 'us',
    rateLimit: false,
    retry,
    fetch: async () => answer(++attempts),
    ...extra,
  });
  return { client, attempts: () => attempts };
}

const status = (code: number, headers: Record<string, string> = {}) =>
  new Response(code === 200 ? '{}' : 'nope', { status: code, headers });

/** Retry options with a recorded, instant sleep and a fixed random. */
function recorded(overrides: RetryOptions = {}) {
  const sleeps: number[] = [];
  const retry: RetryOptions = {
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => 0,
    ...overrides,
  };
  return { retry, sleeps };
}

describe('the retry loop (ky, driven by our policy)', () => {
  it('retries until success and reports each wait', async () => {
    const { retry, sleeps } = recorded();
    const warn = vi.fn();
    const logger = { debug() {}, info() {}, warn, error() {} };
    const answers = [503, 502, 200];
    const { client } = scripted((n) => status(answers[n - 1] ?? 200), retry, { logger });
    await client.identify('u', {});
    expect(sleeps).toEqual([100, 200]);
    expect(warn.mock.calls.map(([fields]) => fields.retry)).toEqual([1, 2]);
  });

  it('stops after `limit` retries and throws the last error', async () => {
    const { retry, sleeps } = recorded({ limit: 2 });
    const { client, attempts } = scripted((n) => status(500 + n), retry);
    const error = await client.identify('u', {}).catch((e: unknown) => e);
    expect(attempts()).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect((error as CustomerIoHttpError).status).toBe(503);
  });

  it('does not retry a non-retryable error', async () => {
    const { retry, sleeps } = recorded();
    const { client, attempts } = scripted(() => status(422), retry);
    await expect(client.identify('u', {})).rejects.toMatchObject({ status: 422 });
    expect(attempts()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('starts no retry that would overrun the budget (with an instant sleep)', async () => {
    // random 1 → waits of 200, 400, 800, 1600…; a 1000 ms budget fits 200 + 400 only.
    const { retry, sleeps } = recorded({ random: () => 1, budgetMs: 1000, limit: 10 });
    const { client, attempts } = scripted(() => status(503), retry);
    await expect(client.identify('u', {})).rejects.toMatchObject({ status: 503 });
    expect(sleeps).toEqual([200, 400]);
    expect(attempts()).toBe(3);
  });

  it('counts wall-clock time against the budget', async () => {
    let clock = 0;
    const { retry, sleeps } = recorded({ now: () => clock, budgetMs: 5000 });
    const { client, attempts } = scripted(() => {
      clock += 3000; // each attempt takes 3 s (e.g. a slow timeout)
      return status(504);
    }, retry);
    await expect(client.identify('u', {})).rejects.toMatchObject({ status: 504 });
    expect(attempts()).toBe(2); // 3000 + 100 wait fits, 6000 + 200 does not
    expect(sleeps).toEqual([100]);
  });

  it('lets a Retry-After beyond the budget end the retries', async () => {
    const { retry, sleeps } = recorded({ budgetMs: 5000 });
    const { client, attempts } = scripted(() => status(429, { 'retry-after': '10' }), retry);
    await expect(client.identify('u', {})).rejects.toMatchObject({ status: 429 });
    expect(attempts()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('retry: false means one attempt', async () => {
    const options = resolveRetryOptions(false);
    expect(options.limit).toBe(0);
    const { client, attempts } = scripted(() => status(503), false);
    await expect(client.identify('u', {})).rejects.toBeInstanceOf(CustomerIoHttpError);
    expect(attempts()).toBe(1);
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_RETRY_OPTIONS).toMatchObject({
      limit: 4,
      baseDelayMs: 200,
      maxDelayMs: 5000,
      budgetMs: 30_000,
      maxRetryAfterMs: 30_000,
    });
    expect(resolveRetryOptions({ limit: undefined }).limit).toBe(4);
  });
});

describe('the retry loop with a deadline and a signal', () => {
  it('never starts a wait that would end after the deadline', async () => {
    const { retry, sleeps } = recorded({ now: () => 1_000 });
    const { client, attempts } = scripted(() => status(503, { 'retry-after': '2' }), retry);
    const error = await client
      .identify('u', {}, { deadline: 1_000 + 1_999 })
      .catch((e: unknown) => e);
    expect((error as CustomerIoHttpError).status).toBe(503);
    expect(attempts()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('takes a wait that ends by the deadline', async () => {
    const { retry, sleeps } = recorded({ now: () => 1_000 });
    const { client, attempts } = scripted(
      (n) => (n === 1 ? status(503, { 'retry-after': '2' }) : status(200)),
      retry,
    );
    await client.identify('u', {}, { deadline: 1_000 + 2_000 });
    expect(attempts()).toBe(2);
    expect(sleeps).toEqual([2000]);
  });

  it('ends a backoff wait when the signal aborts, and starts no further attempt', async () => {
    const controller = new AbortController();
    const { client, attempts } = scripted(() => status(503), {
      random: () => 0.5,
      baseDelayMs: 60_000,
    });
    const startedAt = Date.now();
    setTimeout(() => controller.abort(), 20);
    const error = await client
      .identify('u', {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    // The client's error for an abort; its cause is the signal's reason, as the loop's was.
    expect(isCustomerIoAbortError(error)).toBe(true);
    expect(((error as Error).cause as Error).name).toBe('AbortError');
    expect(attempts()).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });
});

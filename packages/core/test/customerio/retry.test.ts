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
  RETRYABLE_STATUS_CODES,
  type RetryOptions,
  resolveRetryOptions,
  serverWaitMs,
} from '../../src/customerio/retry.js';
import { onFakeClock, retryLogger, type SleepLog } from './helpers.js';

/** An answer as ky's `HTTPError` holds it, as the retry policy sees it. */
const answer = (code: number, headers: Record<string, string> = {}) =>
  new HTTPError(
    new Response(null, { status: code, headers }),
    new Request('https://track.customer.io/x', { method: 'POST' }),
    {} as never,
  ).response;

describe('retryable statuses', () => {
  it.each([408, 429, 500, 502, 503, 504, 522, 524, 599])('%i is retried', async (code) => {
    expect(isRetryableStatus(code)).toBe(true);
    expect(RETRYABLE_STATUS_CODES).toContain(code);
    const { client, attempts } = scripted((n) => status(n === 1 ? code : 200), instant);
    await client.identify('u', {});
    expect(attempts()).toBe(2);
  });

  it.each([400, 401, 403, 404, 409, 413, 422])('%i is never retried', async (code) => {
    expect(isRetryableStatus(code)).toBe(false);
    expect(RETRYABLE_STATUS_CODES).not.toContain(code);
    const { client, attempts } = scripted(() => status(code), instant);
    await expect(client.identify('u', {})).rejects.toMatchObject({ status: code });
    expect(attempts()).toBe(1);
  });

  it('retries network errors and timeouts, not validation errors', async () => {
    const network = scripted((n) => {
      if (n === 1) throw new TypeError('fetch failed');
      return status(200);
    }, instant);
    await network.client.identify('u', {});
    expect(network.attempts()).toBe(2);

    let calls = 0;
    const timeout = createCustomerIoClient({
      siteId: 's',
      apiKey: 'k',
      region: 'us',
      rateLimit: false,
      timeoutMs: 20,
      retry: instant,
      fetch: (_input, init) =>
        ++calls === 1
          ? new Promise<Response>((_, reject) => {
              init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
            })
          : Promise.resolve(status(200)),
    });
    await timeout.identify('u', {});
    expect(calls).toBe(2);

    const invalid = scripted(() => status(200), instant);
    const error = await invalid.client.identify('u', { '': 1 }).catch((e: unknown) => e);
    expect(isCustomerIoValidationError(error)).toBe(true);
    expect(invalid.attempts()).toBe(0);
  });
});

describe('backoffDelay: full jitter', () => {
  const base = { baseDelayMs: 200, maxDelayMs: 5000 };

  it('is factor * min(cap, base * 2^retry)', () => {
    expect(backoffDelay(0, 0.5, base)).toBe(100);
    expect(backoffDelay(1, 0.5, base)).toBe(200);
    expect(backoffDelay(3, 0.25, base)).toBe(400);
    // 200 * 2^5 = 6400 is capped at 5000.
    expect(backoffDelay(5, 0.5, base)).toBe(2500);
    expect(backoffDelay(30, 0.999, base)).toBeCloseTo(4995);
  });

  it('spans [0, ceiling) with full jitter', () => {
    expect(backoffDelay(2, 0, base)).toBe(0);
    expect(backoffDelay(2, 0.9999, base)).toBeLessThan(800);
  });
});

describe('serverWaitMs: Retry-After as ky reads it', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const read = (code: number, headers: Record<string, string>, max = 60_000) => {
    vi.useFakeTimers({ toFake: ['Date'], now });
    try {
      return serverWaitMs(answer(code, headers), max);
    } finally {
      vi.useRealTimers();
    }
  };

  it('reads delta seconds on a 429 or a 503', () => {
    expect(read(429, { 'retry-after': '0' })).toBe(0);
    expect(read(503, { 'retry-after': '2' })).toBe(2000);
    expect(read(503, { 'retry-after': ' 45 ' })).toBe(45_000);
    expect(read(429, { 'retry-after': '1.5' })).toBe(1500);
  });

  it('reads an HTTP date relative to Date.now(); a past one is no wait', () => {
    expect(read(503, { 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' })).toBe(7000);
    expect(read(503, { 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' })).toBeLessThanOrEqual(0);
  });

  it("reads ky's other rate-limit headers when Retry-After is absent", () => {
    expect(read(429, { 'ratelimit-reset': '4' })).toBe(4000);
    expect(read(429, { 'x-ratelimit-reset': String(now / 1000 + 9) })).toBe(9000); // epoch seconds
  });

  it('shortens a long wait to the maximum', () => {
    expect(read(429, { 'retry-after': '3600' }, 10_000)).toBe(10_000);
  });

  it('is undefined without a header or on another status, NaN when unreadable', () => {
    expect(read(503, {})).toBeUndefined();
    expect(read(503, { 'retry-after': '' })).toBeUndefined();
    expect(read(502, { 'retry-after': '2' })).toBeUndefined();
    expect(read(500, { 'retry-after': '2' })).toBeUndefined();
    expect(read(503, { 'retry-after': 'soon' })).toBeNaN();
  });
});

/**
 * The retry loop and its waits are ky's; these drive them through the client against a scripted
 * fetch (one answer per attempt), and record the waits the client logs (`log`).
 */
function scripted(
  reply: (attempt: number) => Response | Promise<Response>,
  retry: RetryOptions | false,
  extra: { logger?: Partial<CustomerIoLogger>; log?: SleepLog } = {},
) {
  let attempts = 0;
  const log = extra.log ?? { sleeps: [] };
  const client = createCustomerIoClient({
    siteId: 's',
    apiKey: 'k',
    region: 'us',
    rateLimit: false,
    retry,
    fetch: async () => reply(++attempts),
    logger: retryLogger(log, extra.logger),
  });
  return { client, attempts: () => attempts, log };
}

/** Backoff waits of 0 ms, for tests about what is retried rather than how long it waits. */
const instant: RetryOptions = { random: () => 0 };

const status = (code: number, headers: Record<string, string> = {}) =>
  new Response(code === 200 ? '{}' : 'nope', { status: code, headers });

/** Retry options with a fixed jitter factor of 0.5, and the log their waits are recorded in. */
function recorded(overrides: RetryOptions = {}) {
  const log: SleepLog = { sleeps: [] };
  return { retry: { random: () => 0.5, ...overrides }, log, sleeps: log.sleeps };
}

describe('the retry loop (ky, driven by our policy)', () => {
  it('retries until success, and ky waits each logged wait, in order', async () => {
    const { retry, log, sleeps } = recorded();
    const warn = vi.fn();
    const answers = [503, 502, 200];
    const { client, attempts } = scripted((n) => status(answers[n - 1] ?? 200), retry, {
      logger: { warn },
      log,
    });
    await onFakeClock(log, () => client.identify('u', {}), attempts);
    expect(sleeps).toEqual([100, 200]);
    expect(warn.mock.calls.map(([fields]) => fields.retry)).toEqual([1, 2]);
  });

  it('stops after `limit` retries and throws the last error', async () => {
    const { retry, log, sleeps } = recorded({ limit: 2 });
    const { client, attempts } = scripted((n) => status(500 + n), retry, { log });
    const error = await onFakeClock(log, () => client.identify('u', {}), attempts).catch(
      (e: unknown) => e,
    );
    expect(attempts()).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect((error as CustomerIoHttpError).status).toBe(503);
  });

  it('does not retry a non-retryable error', async () => {
    const { retry, log, sleeps } = recorded();
    const { client, attempts } = scripted(() => status(422), retry, { log });
    await expect(client.identify('u', {})).rejects.toMatchObject({ status: 422 });
    expect(attempts()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('starts no retry that would overrun the budget', async () => {
    // random 1 → waits of 200, 400, 800, 1600…; a 1000 ms budget fits 200 + 400 only.
    const { retry, log, sleeps } = recorded({ random: () => 1, budgetMs: 1000, limit: 10 });
    const { client, attempts } = scripted(() => status(503), retry, { log });
    await expect(onFakeClock(log, () => client.identify('u', {}), attempts)).rejects.toMatchObject({
      status: 503,
    });
    expect(sleeps).toEqual([200, 400]);
    expect(attempts()).toBe(3);
  });

  it('counts the time attempts take against the budget', async () => {
    const { retry, log, sleeps } = recorded({ budgetMs: 5000 });
    const { client, attempts } = scripted(
      () => {
        vi.setSystemTime(Date.now() + 3000); // each attempt takes 3 s (e.g. a slow timeout)
        return status(504);
      },
      retry,
      { log },
    );
    await expect(onFakeClock(log, () => client.identify('u', {}), attempts)).rejects.toMatchObject({
      status: 504,
    });
    expect(attempts()).toBe(2); // 3000 + 100 wait fits, 6100 + 200 does not
    expect(sleeps).toEqual([100]);
  });

  it('lets a Retry-After beyond the budget end the retries', async () => {
    const { retry, log, sleeps } = recorded({ budgetMs: 5000 });
    const { client, attempts } = scripted(() => status(429, { 'retry-after': '10' }), retry, {
      log,
    });
    await expect(client.identify('u', {})).rejects.toMatchObject({ status: 429 });
    expect(attempts()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it.each([
    ['delta seconds', { 'retry-after': '2' }, 2000],
    ['fractional seconds', { 'retry-after': '1.5' }, 1500],
    ['an HTTP date', { 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }, 7000],
    ['a past HTTP date', { 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }, 0],
    ['a long wait, shortened', { 'retry-after': '3600' }, 20_000],
    ['RateLimit-Reset', { 'ratelimit-reset': '3' }, 3000],
    ['an epoch X-RateLimit-Reset', { 'x-ratelimit-reset': String(1_735_689_600 + 4) }, 4000],
    ['an unreadable value: backoff', { 'retry-after': 'soon' }, 100],
  ])('waits what it checked: %s', async (_, headers, expected) => {
    const { retry, log, sleeps } = recorded({ maxRetryAfterMs: 20_000 });
    const { client, attempts } = scripted(
      (n) => (n === 1 ? status(429, headers) : status(200)),
      retry,
      { log },
    );
    await onFakeClock(
      log,
      () => {
        vi.setSystemTime(Date.parse('2025-01-01T00:00:00Z'));
        return client.identify('u', {});
      },
      attempts,
    );
    expect(attempts()).toBe(2);
    expect(sleeps.map((ms) => Math.max(0, ms))).toEqual([expected]);
  });

  it('backs off on a Retry-After sent with a status other than 429 and 503', async () => {
    const { retry, log, sleeps } = recorded();
    const { client, attempts } = scripted(
      (n) => (n === 1 ? status(502, { 'retry-after': '9' }) : status(200)),
      retry,
      { log },
    );
    await onFakeClock(log, () => client.identify('u', {}), attempts);
    expect(sleeps).toEqual([100]);
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
    const { retry, log, sleeps } = recorded();
    const { client, attempts } = scripted(() => status(503, { 'retry-after': '2' }), retry, {
      log,
    });
    const error = await onFakeClock(log, () =>
      client.identify('u', {}, { deadline: Date.now() + 1_999 }),
    ).catch((e: unknown) => e);
    expect((error as CustomerIoHttpError).status).toBe(503);
    expect(attempts()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('takes a wait that ends by the deadline', async () => {
    const { retry, log, sleeps } = recorded();
    const { client, attempts } = scripted(
      (n) => (n === 1 ? status(503, { 'retry-after': '2' }) : status(200)),
      retry,
      { log },
    );
    await onFakeClock(
      log,
      () => client.identify('u', {}, { deadline: Date.now() + 2_000 }),
      attempts,
    );
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

  it('ends a Retry-After wait at once when the signal aborts', async () => {
    const controller = new AbortController();
    const { retry, log, sleeps } = recorded();
    const { client, attempts } = scripted(() => status(429, { 'retry-after': '20' }), retry, {
      log,
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const call = client.identify('u', {}, { signal: controller.signal }).catch((e: unknown) => e);
      while (sleeps.length === 0) await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(10_000); // halfway through the wait
      controller.abort();
      const error = await call; // no further clock movement: the wait ended on the abort
      expect(isCustomerIoAbortError(error)).toBe(true);
      expect(attempts()).toBe(1);
      expect(sleeps).toEqual([20_000]);
    } finally {
      vi.useRealTimers();
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  CustomerIoHttpError,
  CustomerIoNetworkError,
  CustomerIoTimeoutError,
  CustomerIoValidationError,
} from '../../src/customerio/errors.js';
import {
  backoffDelay,
  DEFAULT_RETRY_OPTIONS,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  type ResolvedRetryOptions,
  resolveRetryOptions,
  retryDelay,
  withRetry,
} from '../../src/customerio/retry.js';

const httpError = (status: number, headers: Record<string, string> = {}) =>
  new CustomerIoHttpError({
    message: `status ${status}`,
    status,
    body: undefined,
    headers,
    method: 'POST',
    path: '/x',
    retryable: isRetryableStatus(status),
  });

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
  it.each([408, 429, 500, 502, 503, 504, 522, 524, 599])('%i is retried', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
    expect(isRetryableError(httpError(status))).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 413, 422])('%i is never retried', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
    expect(isRetryableError(httpError(status))).toBe(false);
  });

  it('retries network errors and timeouts, not validation errors', () => {
    expect(
      isRetryableError(new CustomerIoNetworkError({ message: 'x', method: 'GET', path: '/' })),
    ).toBe(true);
    expect(
      isRetryableError(new CustomerIoTimeoutError({ method: 'GET', path: '/', timeoutMs: 1 })),
    ).toBe(true);
    expect(isRetryableError(new CustomerIoValidationError('x', { field: 'f' }))).toBe(false);
    expect(isRetryableError(new Error('boom'))).toBe(false);
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
    const { options } = testOptions({ maxRetryAfterMs: 10_000 });
    expect(retryDelay(httpError(503, { 'retry-after': '3' }), 0, options)).toBe(3000);
    expect(retryDelay(httpError(429, { 'retry-after': '3600' }), 0, options)).toBe(10_000);
    expect(retryDelay(httpError(503), 2, options)).toBe(400); // backoff: 0.5 * 800
  });
});

describe('withRetry', () => {
  it('retries until success and reports each wait', async () => {
    const { options, sleeps } = testOptions();
    const failures = [httpError(503), httpError(502)];
    const events: number[] = [];
    const result = await withRetry(
      async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        return 'ok';
      },
      options,
      (event) => events.push(event.retry),
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([100, 200]);
    expect(events).toEqual([1, 2]);
  });

  it('stops after `limit` retries and throws the last error', async () => {
    const { options, sleeps } = testOptions({ limit: 2 });
    let attempts = 0;
    const error = await withRetry(async () => {
      attempts++;
      throw httpError(500 + attempts);
    }, options).catch((e: unknown) => e);
    expect(attempts).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect((error as CustomerIoHttpError).status).toBe(503);
  });

  it('does not retry a non-retryable error', async () => {
    const { options, sleeps } = testOptions();
    let attempts = 0;
    await expect(
      withRetry(async () => {
        attempts++;
        throw httpError(422);
      }, options),
    ).rejects.toMatchObject({ status: 422 });
    expect(attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('starts no retry that would overrun the budget (with an instant sleep)', async () => {
    // random 1 → waits of 200, 400, 800, 1600…; a 1000 ms budget fits 200 + 400 only.
    const { options, sleeps } = testOptions({ random: () => 1, budgetMs: 1000, limit: 10 });
    let attempts = 0;
    await expect(
      withRetry(async () => {
        attempts++;
        throw httpError(503);
      }, options),
    ).rejects.toMatchObject({ status: 503 });
    expect(sleeps).toEqual([200, 400]);
    expect(attempts).toBe(3);
  });

  it('counts wall-clock time against the budget', async () => {
    let clock = 0;
    const { options, sleeps } = testOptions({ now: () => clock, budgetMs: 5000 });
    let attempts = 0;
    await expect(
      withRetry(async () => {
        attempts++;
        clock += 3000; // each attempt takes 3 s (e.g. a slow timeout)
        throw httpError(504);
      }, options),
    ).rejects.toMatchObject({ status: 504 });
    expect(attempts).toBe(2); // 3000 + 100 wait fits, 6000 + 200 does not
    expect(sleeps).toEqual([100]);
  });

  it('lets a Retry-After beyond the budget end the retries', async () => {
    const { options, sleeps } = testOptions({ budgetMs: 5000 });
    let attempts = 0;
    await expect(
      withRetry(async () => {
        attempts++;
        throw httpError(429, { 'retry-after': '10' });
      }, options),
    ).rejects.toMatchObject({ status: 429 });
    expect(attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('retry: false means one attempt', async () => {
    const options = resolveRetryOptions(false);
    expect(options.limit).toBe(0);
    let attempts = 0;
    await expect(
      withRetry(async () => {
        attempts++;
        throw httpError(503);
      }, options),
    ).rejects.toBeInstanceOf(CustomerIoHttpError);
    expect(attempts).toBe(1);
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

describe('withRetry with a deadline and a signal', () => {
  it('never starts a wait that would end after the deadline', async () => {
    const { options, sleeps } = testOptions({ now: () => 1_000 });
    let attempts = 0;
    const error = await withRetry(
      async () => {
        attempts++;
        throw httpError(503, { 'retry-after': '2' });
      },
      options,
      undefined,
      { deadline: 1_000 + 1_999 },
    ).catch((e: unknown) => e);
    expect((error as CustomerIoHttpError).status).toBe(503);
    expect(attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('takes a wait that ends by the deadline', async () => {
    const { options, sleeps } = testOptions({ now: () => 1_000 });
    let attempts = 0;
    const result = await withRetry(
      async () => {
        if (++attempts === 1) throw httpError(503, { 'retry-after': '2' });
        return 'ok';
      },
      options,
      undefined,
      { deadline: 1_000 + 2_000 },
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([2000]);
  });

  it('ends a backoff wait when the signal aborts, and starts no further attempt', async () => {
    const options = resolveRetryOptions({ random: () => 0.5, baseDelayMs: 60_000 });
    const controller = new AbortController();
    let attempts = 0;
    const startedAt = Date.now();
    setTimeout(() => controller.abort(), 20);
    const error = await withRetry(
      async () => {
        attempts++;
        throw httpError(503);
      },
      options,
      undefined,
      { signal: controller.signal },
    ).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(attempts).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });
});

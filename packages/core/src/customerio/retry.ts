/**
 * Retry policy: which failures are transient, how long to wait, and when to give up.
 *
 * The client runs its own loop around single ky attempts (ky's `retry` is 0) because it needs
 * things ky's retry does not give: an overall time budget, `Retry-After` on any retryable status,
 * classification of non-JSON error bodies by status, injectable `random`/`sleep`/`now` for tests,
 * and one rate-limit token per attempt.
 *
 * @module
 */
import {
  isCustomerIoHttpError,
  isCustomerIoNetworkError,
  isCustomerIoTimeoutError,
} from './errors.js';
import type { CustomerIoCallOptions } from './types.js';

/**
 * Retry settings; every field is optional.
 *
 * @example
 * ```ts
 * createCustomerIoClient({ siteId, apiKey, region: 'eu', retry: { limit: 6, budgetMs: 60_000 } });
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt (so `limit + 1` attempts at most). Default 4. */
  limit?: number;
  /** Backoff base: the cap before jitter is `baseDelayMs * 2^retry`. Default 200. */
  baseDelayMs?: number;
  /** Backoff cap before jitter. Default 5000. */
  maxDelayMs?: number;
  /**
   * Overall time budget for a call, from its first attempt: a retry whose wait would end after
   * the budget is not started, and the last error is thrown instead. Default 30 000.
   */
  budgetMs?: number;
  /** A longer `Retry-After` is shortened to this. Default 30 000. */
  maxRetryAfterMs?: number;
  /** Uniform random in [0, 1), for jitter. Default `Math.random`. Inject for tests. */
  random?: () => number;
  /**
   * Waits `ms` milliseconds. Default `setTimeout`. Inject for tests. The call's `signal`, when
   * there is one, is passed along; a wait is ended on abort whether or not `sleep` heeds it.
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Millisecond clock for the budget and `Retry-After` dates. Default `Date.now`. */
  now?: () => number;
}

/** {@link RetryOptions} with every default applied. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** Waits `ms` milliseconds with `setTimeout`; an abort clears the timer so it holds nothing alive. */
export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      // A long-lived signal would otherwise collect one listener per wait.
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * `sleep(ms)`, ended early by `signal`: rejects with the signal's reason as soon as it aborts
 * (at once when it already has), like Web APIs that take a signal.
 */
export function sleepUnlessAborted(
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal === undefined) return sleep(ms);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms, signal)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The defaults, for documentation and tests. */
export const DEFAULT_RETRY_OPTIONS: Readonly<ResolvedRetryOptions> = Object.freeze({
  limit: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  budgetMs: 30_000,
  maxRetryAfterMs: 30_000,
  random: Math.random,
  sleep: defaultSleep,
  now: Date.now,
});

/** Applies defaults; `false` means "no retries" (`limit: 0`). */
export function resolveRetryOptions(
  options: RetryOptions | false | undefined,
): ResolvedRetryOptions {
  if (options === false) return { ...DEFAULT_RETRY_OPTIONS, limit: 0 };
  const resolved = { ...DEFAULT_RETRY_OPTIONS };
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  return resolved;
}

/**
 * Whether an HTTP status is transient: 408, 429 and every 5xx (500, 502, 503, 504, Cloudflare's
 * 522 and 524, …). Other 4xx (400, 401, 403, 404, 422, …) are the caller's to fix and never
 * retried.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Whether an error from one attempt is worth another: network failures, timeouts and retryable
 * statuses. Validation and region errors are not.
 */
export function isRetryableError(error: unknown): boolean {
  if (isCustomerIoNetworkError(error) || isCustomerIoTimeoutError(error)) return true;
  return isCustomerIoHttpError(error) && isRetryableStatus(error.status);
}

/**
 * Exponential backoff with full jitter: `random() * min(maxDelayMs, baseDelayMs * 2^retry)`.
 *
 * @param retry - 0 for the first retry.
 * @example
 * ```ts
 * backoffDelay(2, { baseDelayMs: 200, maxDelayMs: 5000, random: () => 0.5 }); // 400
 * ```
 */
export function backoffDelay(
  retry: number,
  options: Pick<ResolvedRetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return options.random() * ceiling;
}

/**
 * Parses a `Retry-After` header: delta seconds (`"120"`) or an HTTP date. Returns milliseconds
 * from `nowMs` (never negative), or `undefined` when the header is absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter('2', Date.now()); // 2000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')); // 60000
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  // Only date-looking text: `Date.parse` would otherwise accept things like "-1" or "12".
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The wait before retry number `retry` (0-based) after `error`: the server's `Retry-After`
 * (capped by `maxRetryAfterMs`) when it sent one, else {@link backoffDelay}.
 */
export function retryDelay(error: unknown, retry: number, options: ResolvedRetryOptions): number {
  if (isCustomerIoHttpError(error)) {
    const after = parseRetryAfter(error.headers['retry-after'], options.now());
    if (after !== undefined) return Math.min(after, options.maxRetryAfterMs);
  }
  return backoffDelay(retry, options);
}

/** What the retry loop reports before each wait. */
export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  error: unknown;
}

/**
 * Runs `attempt` until it succeeds, the error is not retryable, `limit` retries are used, or the
 * next wait would overrun `budgetMs` or the call's `deadline`; then throws the last error. An
 * abort of `signal` ends the wait and rejects with the signal's reason; no attempt starts after it.
 *
 * The budget counts the larger of wall-clock time and the total requested waits, so it holds both
 * with real timers and with an injected `sleep` that returns at once.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: ResolvedRetryOptions,
  onRetry?: (event: RetryEvent) => void,
  limits: CustomerIoCallOptions = {},
): Promise<T> {
  const { signal, deadline } = limits;
  const startedAt = options.now();
  let waited = 0;
  for (let retry = 0; ; retry++) {
    signal?.throwIfAborted();
    try {
      return await attempt(retry + 1);
    } catch (error) {
      if (retry >= options.limit || !isRetryableError(error) || signal?.aborted) throw error;
      const delayMs = retryDelay(error, retry, options);
      const elapsed = Math.max(options.now() - startedAt, waited);
      if (elapsed + delayMs > options.budgetMs) throw error;
      if (deadline !== undefined && options.now() + delayMs > deadline) throw error;
      onRetry?.({ retry: retry + 1, delayMs, error });
      waited += delayMs;
      await sleepUnlessAborted(options.sleep, delayMs, signal);
    }
  }
}

/**
 * Retry policy: which failures are transient, how long to wait, and when to give up, expressed as
 * ky's own `retry` options and `beforeRetry` hook (see `http.ts`).
 *
 * ky runs the loop: the attempt count (`limit`), the methods (`POST` and `PUT` included: every
 * Track write carries an event id or is idempotent), the retryable statuses (`statusCodes`),
 * timeouts (`retryOnTimeout`) and network errors. Two parts stay ours, for reasons ky's options
 * cannot express:
 * - the wait: full-jitter backoff or `Retry-After`, computed with the injectable `random` and
 *   `now`, and waited with the injectable `sleep` in `beforeRetry` (ky's own wait is 0). ky reads
 *   `Retry-After` on `Date.now()` only, picks up unrelated headers (`X-RateLimit-Reset`…) and
 *   computes its delay after `shouldRetry` without reporting it;
 * - the time budget and the call's deadline, checked in `shouldRetry`, which needs that wait
 *   before deciding: a retry whose wait would end past either is not started.
 *
 * @module
 */
import { HTTPError, TimeoutError } from 'ky';
import { isCustomerIoError } from './errors.js';
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
 * The transient statuses: 408, 429 and every 5xx (500, 502, 503, 504, Cloudflare's 522 and 524,
 * …), as ky's `retry.statusCodes`. Other 4xx (400, 401, 403, 404, 422, …) are the caller's to fix
 * and never retried.
 */
export const RETRYABLE_STATUS_CODES: readonly number[] = Object.freeze([
  408,
  429,
  ...Array.from({ length: 100 }, (_, i) => 500 + i),
]);

/** Whether an HTTP status is transient (one of {@link RETRYABLE_STATUS_CODES}). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
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
  if (error instanceof HTTPError) {
    const after = parseRetryAfter(error.response.headers.get('retry-after'), options.now());
    if (after !== undefined) return Math.min(after, options.maxRetryAfterMs);
  }
  return backoffDelay(retry, options);
}

/** What a retry is logged with. */
export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  error: unknown;
}

/** One logical call's retry state: its clock, its limits and the wait `shouldRetry` decided on. */
export interface RetryState {
  limits: CustomerIoCallOptions | undefined;
  startedAt: number;
  /** Total of the waits taken so far. */
  waited: number;
  /** The wait for the retry `shouldRetry` just allowed. */
  nextWaitMs: number;
}

/** Starts the state of one call (shared by its redirect hops). */
export function startRetryState(
  options: ResolvedRetryOptions,
  limits: CustomerIoCallOptions | undefined,
): RetryState {
  return { limits, startedAt: options.now(), waited: 0, nextWaitMs: 0 };
}

/**
 * ky's `retry.shouldRetry` for one call: `false` for our own errors (a refused rate-limit wait, a
 * region error), after an abort, and when the wait would overrun the budget or the deadline;
 * otherwise `undefined`, so ky's own checks (`statusCodes`, `retryOnTimeout`) decide.
 *
 * The budget counts the larger of wall-clock time and the total requested waits, so it holds both
 * with real timers and with an injected `sleep` that returns at once.
 */
export function shouldRetry(
  state: RetryState,
  options: ResolvedRetryOptions,
): (context: { error: Error; retryCount: number }) => false | undefined {
  return ({ error, retryCount }) => {
    const { signal, deadline } = state.limits ?? {};
    if (signal?.aborted || isCustomerIoError(error)) return false;
    if (error instanceof HTTPError && !isRetryableStatus(error.response.status)) return false;
    const wait = retryDelay(error, retryCount - 1, options);
    const now = options.now();
    if (Math.max(now - state.startedAt, state.waited) + wait > options.budgetMs) return false;
    if (deadline !== undefined && now + wait > deadline) return false;
    state.nextWaitMs = wait;
    return undefined;
  };
}

/** ky's `retry` options for a client: ky's wait is 0, ours is taken in {@link waitBeforeRetry}. */
export function kyRetryOptions(options: ResolvedRetryOptions) {
  return {
    limit: options.limit,
    methods: ['get', 'put', 'post', 'delete'],
    statusCodes: [...RETRYABLE_STATUS_CODES],
    afterStatusCodes: [],
    retryOnTimeout: true,
    delay: () => 0,
  };
}

/** Takes the wait `shouldRetry` decided on (the `beforeRetry` hook), ended early by an abort. */
export async function waitBeforeRetry(
  state: RetryState,
  options: ResolvedRetryOptions,
  retryCount: number,
  error: Error,
  onRetry: ((event: RetryEvent) => void) | undefined,
): Promise<void> {
  // The failed attempt's body is never read: free its connection.
  if (error instanceof HTTPError) error.response.body?.cancel().catch(() => undefined);
  const delayMs = state.nextWaitMs;
  onRetry?.({ retry: retryCount, delayMs, error });
  state.waited += delayMs;
  await sleepUnlessAborted(options.sleep, delayMs, state.limits?.signal);
}

/** Whether an error is ky's timeout (by class, or by name for a second copy of ky). */
export function isTimeout(error: unknown): boolean {
  return error instanceof TimeoutError || (error as { name?: unknown })?.name === 'TimeoutError';
}

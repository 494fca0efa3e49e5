/**
 * Retry policy, expressed as ky's own `retry` options (see `http.ts`).
 *
 * ky runs the loop and takes the waits: the attempt count (`limit`), the methods (`POST` and `PUT`
 * included: every Track write carries an event id or is idempotent), the retryable statuses
 * (`statusCodes`), timeouts (`retryOnTimeout`) and network errors, the server's `Retry-After` on
 * 429 and 503 (`afterStatusCodes`, clamped to `maxRetryAfter`), and otherwise exponential backoff
 * (`delay`, capped by `backoffLimit`) with full jitter, on its own timer, ended by the call's
 * signal.
 *
 * What stays ours is `shouldRetry`: our errors and an abort are never retried, and a retry whose
 * wait would end past the time budget or the call's deadline is not started. ky computes the wait
 * only after `shouldRetry` has answered, so `shouldRetry` works out the same wait first:
 * `Retry-After` with a copy of ky's reading of it ({@link serverWaitMs}), backoff with the jitter
 * factor it draws itself and hands to ky through `jitter` ({@link callRetryOptions}). The wait
 * checked is the wait ky takes.
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
  /**
   * A longer `Retry-After` (sent with a 429 or a 503; seconds or an HTTP date, read against
   * `Date.now()`) is shortened to this. Default 30 000.
   */
  maxRetryAfterMs?: number;
  /** Uniform random in [0, 1) drawing each backoff's jitter factor. Default `Math.random`. */
  random?: () => number;
}

/** {@link RetryOptions} with every default applied. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** The defaults, for documentation and tests. */
export const DEFAULT_RETRY_OPTIONS: Readonly<ResolvedRetryOptions> = Object.freeze({
  limit: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  budgetMs: 30_000,
  maxRetryAfterMs: 30_000,
  random: Math.random,
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

/**
 * The statuses whose `Retry-After` is honoured (ky's `retry.afterStatusCodes`): the two the HTTP
 * RFCs define it for (RFC 6585 for 429, RFC 9110 for 503). Customer.io documents no `Retry-After`
 * at all; a proxy or CDN in front of it sends one with these.
 */
export const RETRY_AFTER_STATUS_CODES: readonly number[] = Object.freeze([429, 503]);

/** Whether an HTTP status is transient (one of {@link RETRYABLE_STATUS_CODES}). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Exponential backoff with full jitter: `factor * min(maxDelayMs, baseDelayMs * 2^retry)`, the
 * wait ky takes with the `delay`, `jitter` and `backoffLimit` of {@link kyRetryOptions} (ky's
 * `#calculateDelay`, including its fallback to the unjittered delay for a non-finite or negative
 * result).
 *
 * @param retry - 0 for the first retry.
 * @param factor - the jitter factor, uniform in [0, 1).
 * @example
 * ```ts
 * backoffDelay(2, 0.5, { baseDelayMs: 200, maxDelayMs: 5000 }); // 400
 * ```
 */
export function backoffDelay(
  retry: number,
  factor: number,
  options: Pick<ResolvedRetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
): number {
  const ceiling = backoffCeiling(retry + 1, options);
  const jittered = ceiling * factor;
  return Math.min(
    options.maxDelayMs,
    Number.isFinite(jittered) && jittered >= 0 ? jittered : ceiling,
  );
}

/** ky's `retry.delay`: the backoff before jitter for retry `attemptCount` (1 for the first). */
function backoffCeiling(
  attemptCount: number,
  options: Pick<ResolvedRetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attemptCount - 1));
}

/** The first timestamp year ky accepts in a numeric header (a guard against clock skew). */
const KY_TIMESTAMP_THRESHOLD = Date.parse('2024-01-01');

/**
 * The wait ky takes on an answer's `Retry-After`: a copy of ky 1.14.3's `#calculateRetryDelay`,
 * which gives the budget check the wait before ky computes it. Keep in step with ky on upgrade
 * (`retry.test.ts` checks the two agree through the client).
 *
 * Like ky, it reads `Retry-After`, else `RateLimit-Reset`, `X-RateLimit-Retry-After`,
 * `X-RateLimit-Reset` or `X-Rate-Limit-Reset`, on a status of {@link RETRY_AFTER_STATUS_CODES}:
 * delta seconds, an HTTP date, or an epoch timestamp, against `Date.now()`, shortened to
 * `maxRetryAfterMs`. Returns `undefined` when ky would back off instead, and `NaN` for a value
 * neither a number nor a date (ky would wait `maxRetryAfterMs` on it; {@link callRetryOptions}
 * makes ky back off).
 */
export function serverWaitMs(response: Response, maxRetryAfterMs: number): number | undefined {
  if (!RETRY_AFTER_STATUS_CODES.includes(response.status)) return undefined;
  const { headers } = response;
  const value =
    headers.get('Retry-After') ??
    headers.get('RateLimit-Reset') ??
    headers.get('X-RateLimit-Retry-After') ??
    headers.get('X-RateLimit-Reset') ??
    headers.get('X-Rate-Limit-Reset');
  if (!value) return undefined;
  let after = Number(value) * 1000;
  if (Number.isNaN(after)) after = Date.parse(value) - Date.now();
  else if (after >= KY_TIMESTAMP_THRESHOLD) after -= Date.now();
  if (Number.isNaN(after)) return Number.NaN;
  // ky's `after < max ? after : max`, the same once NaN is out.
  return Math.min(after, maxRetryAfterMs);
}

/** What a retry is logged with. */
export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  error: unknown;
}

/** One logical call's retry state: its clock, its limits and the jitter factor ky will use. */
export interface RetryState {
  limits: CustomerIoCallOptions | undefined;
  startedAt: number;
  /** The jitter factor drawn for the retry `shouldRetry` just allowed. */
  jitter: number;
}

/** Starts the state of one call (shared by its redirect hops). */
export function startRetryState(limits: CustomerIoCallOptions | undefined): RetryState {
  return { limits, startedAt: Date.now(), jitter: 1 };
}

/** ky's `retry` options for a client: everything but the per-call `shouldRetry` and `jitter`. */
export function kyRetryOptions(options: ResolvedRetryOptions) {
  return {
    limit: options.limit,
    methods: ['get', 'put', 'post', 'delete'],
    statusCodes: [...RETRYABLE_STATUS_CODES],
    afterStatusCodes: [...RETRY_AFTER_STATUS_CODES],
    maxRetryAfter: options.maxRetryAfterMs,
    delay: (attemptCount: number) => backoffCeiling(attemptCount, options),
    backoffLimit: options.maxDelayMs,
    retryOnTimeout: true,
  };
}

/**
 * ky's per-call `retry.shouldRetry` and `retry.jitter` for one call.
 *
 * `shouldRetry` answers `false` for our own errors (a refused rate-limit wait, a region error),
 * after an abort, and when the wait would overrun the budget or the deadline. Otherwise it answers
 * `undefined`, so ky's checks decide and ky honours `Retry-After` (`true` would skip it), except
 * for an unreadable `Retry-After`, where `true` makes ky back off as for no header at all. For a
 * backoff it draws the jitter factor that `jitter` then applies, so ky waits what was checked.
 */
export function callRetryOptions(
  state: RetryState,
  options: ResolvedRetryOptions,
  onRetry: ((event: RetryEvent) => void) | undefined,
) {
  return {
    shouldRetry({ error, retryCount }: { error: Error; retryCount: number }): boolean | undefined {
      const { signal, deadline } = state.limits ?? {};
      if (signal?.aborted || isCustomerIoError(error)) return false;
      let fromServer: number | undefined;
      if (error instanceof HTTPError) {
        if (!isRetryableStatus(error.response.status)) return false;
        fromServer = serverWaitMs(error.response, options.maxRetryAfterMs);
      }
      const backoff = fromServer === undefined || Number.isNaN(fromServer);
      let delayMs: number;
      if (backoff) {
        state.jitter = options.random();
        delayMs = backoffDelay(retryCount - 1, state.jitter, options);
      } else {
        delayMs = Math.max(0, fromServer as number);
      }
      const now = Date.now();
      if (now - state.startedAt + delayMs > options.budgetMs) return false;
      if (deadline !== undefined && now + delayMs > deadline) return false;
      // The failed attempt's body is never read: free its connection for the wait.
      if (error instanceof HTTPError) error.response.body?.cancel().catch(() => undefined);
      onRetry?.({ retry: retryCount, delayMs, error });
      return fromServer !== undefined && backoff ? true : undefined;
    },
    jitter: (delay: number) => delay * state.jitter,
  };
}

/** Whether an error is ky's timeout (by class, or by name for a second copy of ky). */
export function isTimeout(error: unknown): boolean {
  return error instanceof TimeoutError || (error as { name?: unknown })?.name === 'TimeoutError';
}

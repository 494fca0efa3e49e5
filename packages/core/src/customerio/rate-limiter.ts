/**
 * A client-side rate limiter shared by every request of one client (retries and redirect hops
 * included).
 *
 * Customer.io asks for about 100 requests per second per workspace ("fair use"; not enforced with
 * 429s, but sustained excess may be throttled or dropped), and its SDKs ship no limiter. This one is
 * a slot scheduler (GCRA, the "virtual scheduling" form of a token bucket): each request reserves
 * the next free slot `1000 / requestsPerSecond` ms after the previous one, synchronously, so
 * concurrent callers are served first-come-first-served and never more than `burst` requests go
 * out back to back. With the default `burst: 1` no clock-aligned second ever sees more than
 * `requestsPerSecond` requests, which a plain bucket holding a full second of tokens cannot
 * promise (it allows 2x at a window boundary).
 *
 * @module
 */
import { CustomerIoDeadlineError } from './errors.js';
import { defaultSleep, sleepUnlessAborted } from './sleep.js';
import type { CustomerIoCallOptions } from './types.js';

/** Limiter settings. */
export interface RateLimiterOptions {
  /** Sustained rate. Must be > 0. */
  requestsPerSecond: number;
  /** Requests that may go out back to back after an idle period. Default 1. */
  burst?: number;
  /** Millisecond clock. Default `Date.now`; inject for tests. */
  now?: () => number;
  /** Waits `ms` milliseconds. Default `setTimeout`; inject for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * A rate limiter: one per client, shared by all its calls. Implement it to share one schedule between
 * processes (Customer.io's limit is per workspace); `createRateLimiter` is the in-process one.
 */
export interface RateLimiter {
  /**
   * Resolves when the caller may send one request.
   *
   * With a `deadline` (epoch ms on the limiter's clock), a wait that would end after it is refused
   * at once with a `CustomerIoDeadlineError` and no slot is reserved, so a refused caller never
   * delays the others. With a `signal`, an abort ends the wait and rejects with the signal's
   * reason (the reserved slot stays used: later callers were already scheduled after it).
   *
   * @example
   * ```ts
   * await limiter.acquire({ deadline: Date.now() + 5000, signal });
   * ```
   */
  acquire(limits?: CustomerIoCallOptions): Promise<void>;
}

/** The built-in, in-process limiter. */
export interface LocalRateLimiter extends RateLimiter {
  /** The wait (ms) the next `acquire()` would incur, without reserving a slot. */
  peek(): number;
}

/**
 * Creates a limiter.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ requestsPerSecond: 100 });
 * await limiter.acquire(); // then send
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): LocalRateLimiter {
  const { requestsPerSecond } = options;
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
    throw new RangeError(`requestsPerSecond must be a positive number, got ${requestsPerSecond}`);
  }
  const burst = Math.max(1, Math.floor(options.burst ?? 1));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const interval = 1000 / requestsPerSecond;
  const tolerance = (burst - 1) * interval;
  // Theoretical arrival time of the next request (GCRA).
  let tat = Number.NEGATIVE_INFINITY;

  const waitFor = (t: number): number => Math.max(0, Math.max(tat, t) - tolerance - t);

  return {
    acquire(limits: CustomerIoCallOptions = {}): Promise<void> {
      const { deadline, signal } = limits;
      if (signal?.aborted) return Promise.reject(signal.reason);
      const t = now();
      const wait = waitFor(t);
      // Checked before reserving: a refused caller must not push everyone after it further back.
      if (deadline !== undefined && t + wait > deadline) {
        return Promise.reject(new CustomerIoDeadlineError({ waitMs: wait, deadline, now: t }));
      }
      tat = Math.max(tat, t) + interval; // reserve synchronously: order = call order
      return wait > 0 ? sleepUnlessAborted(sleep, wait, signal) : Promise.resolve();
    },
    peek(): number {
      return waitFor(now());
    },
  };
}

/**
 * How long, and how often, the queue retries an event Customer.io could not take yet: an exponential
 * backoff capped at `maxDelayMs`, with jitter, over a horizon. The queue turns the horizon into BullMQ's
 * `attempts`; the worker computes each delay. Give both the same policy (the defaults match).
 */
export interface RetryPolicy {
  /** The first retry's delay, before jitter. Default 1 s. */
  baseDelayMs: number;
  /** The largest delay between two attempts, before jitter. Default 1 h. */
  maxDelayMs: number;
  /**
   * How long to keep retrying, counted in nominal (pre-jitter) delays. Default 20 days: about as long as
   * Purchasely keeps re-delivering a webhook that was not answered 200.
   */
  horizonMs: number;
  /** Spread of each delay: a delay `d` becomes uniform in `[d·(1 − jitter/2), d·(1 + jitter/2)]`. Default 0.5. */
  jitter: number;
}

const DAY = 24 * 3_600_000;

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseDelayMs: 1_000,
  maxDelayMs: 3_600_000,
  horizonMs: 20 * DAY,
  jitter: 0.5,
});

export function resolveRetryPolicy(policy: Partial<RetryPolicy> = {}): RetryPolicy {
  const resolved = { ...DEFAULT_RETRY_POLICY, ...policy };
  const { baseDelayMs, maxDelayMs, horizonMs, jitter } = resolved;
  if (!(baseDelayMs > 0) || !(maxDelayMs >= baseDelayMs) || !(horizonMs >= 0)) {
    throw new RangeError('retry: need baseDelayMs > 0, maxDelayMs >= baseDelayMs, horizonMs >= 0');
  }
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError('retry.jitter must be within [0, 1]');
  return resolved;
}

/** The nominal delay before retry number `retry` (1 = the first retry): base·2^(retry−1), capped. */
export function nominalDelayMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
}

/** The delay BullMQ waits after `attemptsMade` failed attempts: the nominal delay, jittered. */
export function retryDelayMs(
  policy: RetryPolicy,
  attemptsMade: number,
  random: () => number = Math.random,
): number {
  const nominal = nominalDelayMs(policy, attemptsMade);
  return Math.round(nominal * (1 - policy.jitter / 2 + policy.jitter * random()));
}

/**
 * BullMQ's `attempts` for a policy: the first attempt plus as many retries as fit in the horizon, their
 * nominal delays added up. Jitter averages out (it is symmetric), so the last retry lands near the horizon.
 * Defaults: 12 doubling delays (1 s … 2,048 s, 68 min in all), then 478 hourly ones: 491 attempts.
 */
export function attemptsFor(policy: RetryPolicy): number {
  let total = 0;
  let retries = 0;
  for (;;) {
    const next = nominalDelayMs(policy, retries + 1);
    if (total + next > policy.horizonMs) break;
    total += next;
    retries++;
    // Past the cap every delay is the same: count the rest at once.
    if (next === policy.maxDelayMs) {
      retries += Math.floor((policy.horizonMs - total) / next);
      break;
    }
  }
  return 1 + retries;
}

import {
  type CustomerIoCallOptions,
  CustomerIoDeadlineError,
  createRateLimiter,
  type RateLimiter,
} from '@purchasely-customerio/core';
import type { RedisCommands } from './commands.js';
import { runScript } from './run-script.js';
import { GCRA } from './scripts.js';

/** The logger the limiter tells when it falls back to the local limiter and when Redis is back. */
export interface RateLimiterLogger {
  warn(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
}

export interface RedisRateLimiterOptions {
  /** Your client, wrapped: `fromIoredis(client)`, `fromNodeRedis(client)` or your own `RedisCommands`. */
  redis: RedisCommands;
  /**
   * The Customer.io workspace (its site id): one schedule per workspace, since Customer.io's limit is per
   * workspace. Give every process of a workspace the same value.
   */
  workspace: string;
  /** Sustained rate for the whole workspace. Default 100 (Customer.io's fair-use rate). */
  requestsPerSecond?: number;
  /** Requests that may go out back to back after an idle period. Default 1. */
  burst?: number;
  /** Prepended to the key. Default `'purchasely:'`. */
  prefix?: string;
  /**
   * How long to wait for Redis before using the local limiter for that request, in ms. Default 250: a
   * client that queues commands while reconnecting must not hold deliveries.
   */
  redisTimeoutMs?: number;
  /** Told once when Redis cannot be reached (the local limiter takes over), and once when it is back. */
  logger?: RateLimiterLogger;
  /** Waits `ms` (ending early when `signal` aborts). Default `setTimeout`; inject in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * A rate limiter shared by every process that delivers to one Customer.io workspace: pass it as the
 * client's `rateLimit`. Each request takes the next slot of one GCRA schedule kept in Redis (one Lua
 * script, one round trip, Redis' clock). A wait longer than the call's deadline is refused at once without
 * taking a slot. If Redis cannot be reached, this process falls back to its own limiter at the same rate,
 * and says so in the log; every request tries Redis first, so the shared schedule resumes by itself.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createRedisRateLimiter, fromIoredis } from '@purchasely-customerio/redis';
 *
 * const rateLimit = createRedisRateLimiter({
 *   redis: fromIoredis(new Redis(process.env.REDIS_URL!)),
 *   workspace: process.env.CUSTOMERIO_SITE_ID!,
 * });
 * createPurchaselyBridge({ ...config, customerio: { ...credentials, region: 'eu', rateLimit } });
 * ```
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const requestsPerSecond = options.requestsPerSecond ?? 100;
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
    throw new RangeError(`requestsPerSecond must be a positive number, got ${requestsPerSecond}`);
  }
  if (typeof options.workspace !== 'string' || options.workspace === '') {
    throw new TypeError('workspace must be the Customer.io site id, a non-empty string');
  }
  const burst = Math.max(1, Math.floor(options.burst ?? 1));
  const interval = 1000 / requestsPerSecond;
  const key = `${options.prefix ?? 'purchasely:'}rate:{${options.workspace}}`;
  const timeoutMs = options.redisTimeoutMs ?? 250;
  const wait = options.sleep ?? sleep;
  const local = createRateLimiter({ requestsPerSecond, burst, sleep: wait });
  let usingLocal = false;

  const schedule = async (maxWaitMs: number): Promise<number> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const args = [`${interval}`, `${(burst - 1) * interval}`, `${maxWaitMs}`];
      return Number(await Promise.race([runScript(options.redis, GCRA, key, args), timeout]));
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async acquire(limits: CustomerIoCallOptions = {}) {
      const { deadline, signal } = limits;
      if (signal?.aborted) throw signal.reason;
      const maxWaitMs =
        deadline === undefined ? -1 : Math.max(0, Math.floor(deadline - Date.now()));
      let slotIn: number;
      try {
        slotIn = await schedule(maxWaitMs);
      } catch (error) {
        if (!usingLocal) {
          usingLocal = true;
          options.logger?.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'purchasely-customerio: the shared rate limit in Redis cannot be reached; this process uses its own limiter until it can',
          );
        }
        return local.acquire(limits);
      }
      if (usingLocal) {
        usingLocal = false;
        options.logger?.info({}, 'purchasely-customerio: the shared rate limit in Redis is back');
      }
      if (slotIn < 0) {
        throw new CustomerIoDeadlineError({
          waitMs: -1 - slotIn,
          deadline: deadline as number,
          now: Date.now(),
        });
      }
      if (slotIn > 0) await wait(slotIn, signal);
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

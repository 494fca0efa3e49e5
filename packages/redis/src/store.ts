import type {
  BridgeStore,
  ClaimResult,
  PersonState,
  SubscriptionUpdate,
} from '@purchasely-customerio/core';
import type { RedisCommands } from './commands.js';
import { runScript } from './run-script.js';
import { CLAIM, COMPLETE, MERGE, READ, RELEASE, type RedisScript } from './scripts.js';

const DAY_MS = 24 * 3_600_000;

export interface RedisStoreOptions {
  /** Your client, wrapped: `fromIoredis(client)`, `fromNodeRedis(client)` or your own {@link RedisCommands}. */
  redis: RedisCommands;
  /**
   * Prepended to every key. Default `'purchasely:'`. Give each bridge sharing a Redis its own prefix. A
   * prefix with a hash tag (`'{purchasely}:'`) puts every key in one Redis Cluster slot.
   */
  prefix?: string;
  /**
   * How long a completed event is remembered, in ms. Default 21 days: Purchasely re-delivers for about 20
   * days, so a key outlives every retry of its event.
   */
  doneTtlMs?: number;
  /**
   * How long a person's subscription state is kept after its last update, in ms. Default 400 days: longer
   * than a yearly renewal, so a person with one annual subscription keeps their state from one renewal to
   * the next. A person who comes back after it starts again from their next event's fields.
   */
  stateTtlMs?: number;
  /** Subscriptions kept per person, the newest (see `mergeSubscriptionUpdates`). Default 50. */
  maxSubscriptionsPerPerson?: number;
}

/**
 * A {@link BridgeStore} on Redis, shared by every instance of the bridge: dedup and subscription state
 * survive restarts and hold across processes. Each method is one Lua script, atomic and one round trip
 * (EVALSHA, and EVAL once when the server does not know the script yet).
 *
 * Keys, each with a TTL (Redis forgets them by itself; no cleanup job):
 * - `<prefix>claim:{<event key>}`: `lease:<token>` for the lease, then `done` for `doneTtlMs`;
 * - `<prefix>person:{<person key>}`: the person's state as JSON (a `PersonState`), for `stateTtlMs` after
 *   its last update.
 *
 * Each call touches one key, so it works on Redis Cluster; the id sits in a hash tag so that keys about
 * the same id share a slot.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createRedisStore, fromIoredis } from '@purchasely-customerio/redis';
 *
 * const store = createRedisStore({
 *   redis: fromIoredis(new Redis(process.env.REDIS_URL!)),
 *   prefix: 'purchasely:prod:',
 * });
 * const claim = await store.claim('evt_1', { leaseMs: 30_000 }); // { status: 'claimed', token: '…' }
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): BridgeStore {
  const { redis } = options;
  if (typeof redis?.evalsha !== 'function' || typeof redis.eval !== 'function') {
    throw new TypeError(
      'createRedisStore: `redis` must be RedisCommands; wrap your client with fromIoredis() or fromNodeRedis()',
    );
  }
  const prefix = options.prefix ?? 'purchasely:';
  if (typeof prefix !== 'string')
    throw new TypeError('createRedisStore: `prefix` must be a string');
  const doneTtlMs = milliseconds('doneTtlMs', options.doneTtlMs ?? 21 * DAY_MS);
  const stateTtlMs = milliseconds('stateTtlMs', options.stateTtlMs ?? 400 * DAY_MS);
  const maxSubscriptions = positiveInteger(
    'maxSubscriptionsPerPerson',
    options.maxSubscriptionsPerPerson ?? 50,
  );

  const claimKey = (key: string) => `${prefix}claim:{${key}}`;
  const personKey = (key: string) => `${prefix}person:{${key}}`;

  const run = (script: RedisScript, key: string, args: string[]) =>
    runScript(redis, script, key, args);
  const state = (reply: unknown): PersonState => JSON.parse(text(reply)) as PersonState;

  return {
    async claim(key, { leaseMs }): Promise<ClaimResult> {
      const lease = milliseconds('leaseMs', leaseMs);
      const token = crypto.randomUUID();
      const status = text(await run(CLAIM, claimKey(key), [token, lease]));
      if (status === 'claimed') return { status, token };
      if (status === 'done' || status === 'in_progress') return { status };
      throw new Error(`Unexpected reply to the claim script: ${status}`);
    },
    async complete(key, token) {
      return Number(await run(COMPLETE, claimKey(key), [token, doneTtlMs])) === 1;
    },
    async release(key, token) {
      return Number(await run(RELEASE, claimKey(key), [token])) === 1;
    },
    async mergeSubscriptions(key, updates) {
      const args = [JSON.stringify(encodeUpdates(updates)), `${maxSubscriptions}`, stateTtlMs];
      return state(await run(MERGE, personKey(key), args));
    },
    async readSubscriptions(key) {
      return state(await run(READ, personKey(key), []));
    },
  };
}

type EncodedUpdate = [string, number, string, Array<[string, string | number | boolean]>];

/**
 * What the Lua merge receives: the updates `mergeSubscriptionUpdates` would not ignore, with the values
 * JSON would change already changed (-0 reads back as 0), so that the script never meets a number JSON
 * cannot hold. Lone UTF-16 surrogates, which Redis' cjson refuses to decode (and which no UTF-8 payload
 * can carry unescaped), become U+FFFD: the one place where the result can differ from the memory store.
 */
function encodeUpdates(updates: readonly SubscriptionUpdate[]): EncodedUpdate[] {
  const encoded: EncodedUpdate[] = [];
  for (const { subscriptionKey, version, fields } of updates) {
    if (!Number.isFinite(version.at)) continue;
    const kept: Array<[string, string | number | boolean]> = [];
    for (const [name, value] of Object.entries(fields)) {
      if (typeof value === 'number' && !Number.isFinite(value)) continue;
      kept.push([
        wellFormed(name),
        typeof value === 'string' ? wellFormed(value) : value === 0 ? 0 : value,
      ]);
    }
    encoded.push([
      wellFormed(subscriptionKey),
      version.at === 0 ? 0 : version.at,
      wellFormed(version.id),
      kept,
    ]);
  }
  return encoded;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `String.prototype.toWellFormed`, which Node 20's TypeScript lib does not declare. */
function wellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD');
}

const decoder = new TextDecoder();

function text(reply: unknown): string {
  if (typeof reply === 'string') return reply;
  if (reply instanceof Uint8Array) return decoder.decode(reply);
  throw new TypeError(`Unexpected reply from Redis: ${typeof reply}`);
}

/** A positive, finite duration, rounded up to the whole milliseconds Redis' PX takes. */
function milliseconds(name: string, value: number): string {
  if (!(value > 0) || !Number.isSafeInteger(Math.ceil(value))) {
    throw new RangeError(`${name} must be a positive number of ms, got ${value}`);
  }
  return `${Math.ceil(value)}`;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

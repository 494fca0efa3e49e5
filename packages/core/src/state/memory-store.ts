import type { BridgeStore, ClaimResult } from './store.js';
import { mergeSubscriptionUpdates, type PersonState } from './subscriptions.js';
import { WriteOrderedMap } from './write-ordered-map.js';

export interface MemoryStoreOptions {
  /** Claimed and done event keys kept at most; the least recently written go first. Default 100,000. */
  maxKeys?: number;
  /** People whose subscription state is kept at most; the least recently updated go first. Default 100,000. */
  maxPeople?: number;
  /**
   * How long a completed key is remembered, in ms. Default 21 days: Purchasely re-delivers for about 20
   * days, so a key outlives every retry of its event.
   */
  doneTtlMs?: number;
  /** Subscriptions kept per person (see `mergeSubscriptionUpdates`). Default 50. */
  maxSubscriptionsPerPerson?: number;
  /** Clock in epoch ms; inject in tests. */
  now?: () => number;
}

type ClaimEntry =
  | { status: 'leased'; token: string; expiresAt: number }
  | { status: 'done'; expiresAt: number };

/**
 * A bounded in-memory {@link BridgeStore}, the default. State lives in this process; with two instances, or
 * after a restart, use a shared store: two instances with their own memory store would both deliver a
 * re-delivered event, and each would see only part of a person's subscriptions.
 *
 * At capacity it forgets the least recently written event keys (a live lease included) and the least
 * recently updated people, one per new entry, in O(1) amortised time.
 *
 * @example
 * ```ts
 * const store = createMemoryStore({ maxPeople: 10_000 });
 * const claim = await store.claim('evt_1', { leaseMs: 30_000 }); // { status: 'claimed', token: '…' }
 * await store.complete('evt_1', claim.status === 'claimed' ? claim.token : '');
 * await store.claim('evt_1', { leaseMs: 30_000 }); // { status: 'done' }
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): BridgeStore {
  const maxKeys = positiveInteger('maxKeys', options.maxKeys ?? 100_000);
  const maxPeople = positiveInteger('maxPeople', options.maxPeople ?? 100_000);
  const doneTtlMs = positiveNumber('doneTtlMs', options.doneTtlMs ?? 21 * 24 * 3_600_000);
  const maxSubscriptions = positiveInteger(
    'maxSubscriptionsPerPerson',
    options.maxSubscriptionsPerPerson ?? 50,
  );
  const now = options.now ?? Date.now;
  const claims = new WriteOrderedMap<string, ClaimEntry>();
  const people = new WriteOrderedMap<string, PersonState>();

  // Frees expired entries from the front of the write order; expired entries behind a live one wait for
  // their turn (or capacity eviction) but already read as absent.
  const dropExpired = (time: number) => {
    for (
      let oldest = claims.oldest();
      oldest && oldest.value.expiresAt <= time;
      oldest = claims.oldest()
    ) {
      claims.delete(oldest.key);
    }
  };
  const liveClaim = (key: string, time: number) => {
    const entry = claims.get(key);
    return entry !== undefined && entry.expiresAt > time ? entry : undefined;
  };
  const heldLease = (key: string, token: string, time: number) => {
    const entry = liveClaim(key, time);
    return entry?.status === 'leased' && entry.token === token;
  };
  const evictBeyond = <V>(map: WriteOrderedMap<string, V>, max: number) => {
    while (map.size > max) map.delete(map.oldest()!.key);
  };
  // Callers get their own copy, as they would from a store that serialises: mutating it cannot corrupt
  // the state kept here.
  const copy = (state: PersonState | undefined): PersonState =>
    state === undefined ? {} : structuredClone(state);

  return {
    async claim(key, { leaseMs }): Promise<ClaimResult> {
      positiveNumber('leaseMs', leaseMs);
      const time = now();
      dropExpired(time);
      const entry = liveClaim(key, time);
      if (entry !== undefined) return { status: entry.status === 'done' ? 'done' : 'in_progress' };
      const token = crypto.randomUUID();
      claims.set(key, { status: 'leased', token, expiresAt: time + leaseMs });
      evictBeyond(claims, maxKeys);
      return { status: 'claimed', token };
    },
    async complete(key, token) {
      const time = now();
      if (!heldLease(key, token, time)) return false;
      claims.set(key, { status: 'done', expiresAt: time + doneTtlMs });
      return true;
    },
    async release(key, token) {
      if (!heldLease(key, token, now())) return false;
      claims.delete(key);
      return true;
    },
    async mergeSubscriptions(personKey, updates) {
      const current = people.get(personKey);
      if (updates.length === 0) return copy(current);
      const merged = mergeSubscriptionUpdates(current ?? {}, updates, { maxSubscriptions });
      // Updates the merge ignores (non-finite versions) must not make room for an empty person.
      if (current === undefined && Object.keys(merged).length === 0) return {};
      people.set(personKey, merged);
      evictBeyond(people, maxPeople);
      return copy(merged);
    },
    async readSubscriptions(personKey) {
      return copy(people.get(personKey));
    },
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function positiveNumber(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a positive number of ms, got ${value}`);
  }
  return value;
}

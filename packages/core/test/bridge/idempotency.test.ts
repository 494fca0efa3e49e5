import { describe, expect, it } from 'vitest';
import { createMemoryIdempotencyStore } from '../../src/index.js';

describe('the memory idempotency store', () => {
  it('at capacity, evicts the oldest key first, one per new key', () => {
    const store = createMemoryIdempotencyStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) store.remember(key);
    expect(['a', 'b', 'c', 'd'].map((key) => store.has(key))).toEqual([false, true, true, true]);
    store.remember('e');
    expect(['b', 'c', 'd', 'e'].map((key) => store.has(key))).toEqual([false, true, true, true]);
  });

  it('a key remembered again moves to the back of the eviction order', () => {
    let time = 0;
    const store = createMemoryIdempotencyStore({ maxEntries: 3, now: () => time });
    for (const key of ['a', 'b', 'c']) {
      time += 1;
      store.remember(key);
    }
    time += 1;
    store.remember('a');
    time += 1;
    store.remember('d');
    expect(['a', 'b', 'c', 'd'].map((key) => store.has(key))).toEqual([true, false, true, true]);
  });

  it('forgets keys after the TTL, and keeps every key it was given within it', () => {
    let time = 1_000;
    const store = createMemoryIdempotencyStore({ ttlMs: 100, now: () => time });
    store.remember('old');
    time += 60;
    store.remember('new');
    time += 50;
    expect([store.has('old'), store.has('new')]).toEqual([false, true]);
    time += 60;
    expect(store.has('new')).toBe(false);
  });

  it('holds exactly the newest maxEntries keys through 200,000 remembers, repeats included', () => {
    const maxEntries = 1_000;
    const store = createMemoryIdempotencyStore({ maxEntries });
    for (let i = 0; i < 200_000; i += 1) {
      // Every third call repeats a recent key, the pattern of concurrent re-deliveries.
      store.remember(i % 3 === 2 ? `k${i - 1}` : `k${i}`);
    }
    const live = Array.from({ length: 200_000 }, (_, i) => `k${i}`).filter((k) => store.has(k));
    expect(live).toHaveLength(maxEntries);
  });
});

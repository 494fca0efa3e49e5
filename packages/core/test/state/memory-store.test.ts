import { describe, expect, it } from 'vitest';
import { createMemoryStore, type MemoryStoreOptions } from '../../src/state/memory-store.js';
import type { ClaimResult } from '../../src/state/store.js';
import type { SubscriptionUpdate } from '../../src/state/subscriptions.js';
import { describeStoreConformance } from './conformance.js';

const DAY = 24 * 3_600_000;

/** A memory store on a clock that only moves when the test says so. */
function clockedStore(options: Omit<MemoryStoreOptions, 'now'> = {}) {
  const clock = { time: 1_700_000_000_000 };
  const store = createMemoryStore({ ...options, now: () => clock.time });
  return { store, clock };
}

const tokenOf = (result: ClaimResult): string => {
  if (result.status !== 'claimed') throw new Error(`expected a claim, got ${result.status}`);
  return result.token;
};

const updateOf = (subscriptionKey: string, at: number): SubscriptionUpdate => ({
  subscriptionKey,
  version: { at, id: `evt_${at}` },
  fields: { status: 'ACTIVE' },
});

describeStoreConformance('the memory store', async () => {
  const { store, clock } = clockedStore();
  return {
    store,
    advance: async (ms) => {
      clock.time += ms;
    },
    leaseMs: 30_000,
    doneTtlMs: 21 * DAY,
    close: async () => {},
  };
});

describe('the memory store, on its own', () => {
  const lease = { leaseMs: 1_000 };

  it('a lease ends exactly leaseMs after the claim', async () => {
    const { store, clock } = clockedStore();
    await store.claim('evt', lease);
    clock.time += 999;
    expect(await store.claim('evt', lease)).toEqual({ status: 'in_progress' });
    clock.time += 1;
    expect((await store.claim('evt', lease)).status).toBe('claimed');
  });

  it('remembers a done key for 21 days by default, counted from completion', async () => {
    const { store, clock } = clockedStore();
    const token = tokenOf(await store.claim('evt', lease));
    clock.time += 500;
    await store.complete('evt', token);
    clock.time += 21 * DAY - 1;
    expect(await store.claim('evt', lease)).toEqual({ status: 'done' });
    clock.time += 1;
    expect((await store.claim('evt', lease)).status).toBe('claimed');
  });

  it('at capacity, forgets the least recently written key first, one per new key', async () => {
    const { store } = clockedStore({ maxKeys: 3 });
    const tokens = new Map<string, string>();
    for (const key of ['a', 'b', 'c']) tokens.set(key, tokenOf(await store.claim(key, lease)));
    // Completing `a` writes it again: `b` becomes the oldest.
    await store.complete('a', tokens.get('a')!);
    await store.claim('d', lease);
    // Checked newest first: a claim that succeeds writes a key, and would evict another.
    expect(await store.claim('d', lease)).toEqual({ status: 'in_progress' });
    expect(await store.claim('a', lease)).toEqual({ status: 'done' });
    expect(await store.claim('c', lease)).toEqual({ status: 'in_progress' });
    expect((await store.claim('b', lease)).status).toBe('claimed');
    expect((await store.claim('c', lease)).status).toBe('claimed');
  });

  it('under churn far beyond capacity, keeps exactly the newest maxKeys keys', async () => {
    const { store } = clockedStore({ maxKeys: 100 });
    for (let index = 0; index < 10_000; index++) await store.claim(`evt_${index}`, lease);
    for (let index = 9_999; index >= 9_900; index--) {
      expect(await store.claim(`evt_${index}`, lease)).toEqual({ status: 'in_progress' });
    }
    expect((await store.claim('evt_9899', lease)).status).toBe('claimed');
  });

  it('at capacity, forgets the least recently updated person first; reading does not count', async () => {
    const { store } = clockedStore({ maxPeople: 2 });
    await store.mergeSubscriptions('ann', [updateOf('sub_1', 1)]);
    await store.mergeSubscriptions('bob', [updateOf('sub_1', 1)]);
    await store.mergeSubscriptions('ann', [updateOf('sub_2', 2)]);
    await store.readSubscriptions('bob');
    await store.mergeSubscriptions('cid', [updateOf('sub_1', 1)]);
    expect(await store.readSubscriptions('bob')).toEqual({});
    expect(Object.keys(await store.readSubscriptions('ann'))).toEqual(['sub_1', 'sub_2']);
    expect(Object.keys(await store.readSubscriptions('cid'))).toEqual(['sub_1']);
  });

  it('an empty merge, or one the merge ignores entirely, does not make room for a person', async () => {
    const { store } = clockedStore({ maxPeople: 1 });
    await store.mergeSubscriptions('ann', [updateOf('sub_1', 1)]);
    expect(await store.mergeSubscriptions('bob', [])).toEqual({});
    expect(await store.mergeSubscriptions('bob', [updateOf('sub_1', Number.NaN)])).toEqual({});
    expect(Object.keys(await store.readSubscriptions('ann'))).toEqual(['sub_1']);
  });

  it('keeps maxSubscriptionsPerPerson subscriptions per person, the newest', async () => {
    const { store } = clockedStore({ maxSubscriptionsPerPerson: 2 });
    const merged = await store.mergeSubscriptions('ann', [
      updateOf('sub_old', 1),
      updateOf('sub_new', 3),
      updateOf('sub_mid', 2),
    ]);
    expect(Object.keys(merged)).toEqual(['sub_mid', 'sub_new']);
    await store.mergeSubscriptions('ann', [updateOf('sub_newest', 4)]);
    expect(Object.keys(await store.readSubscriptions('ann'))).toEqual(['sub_new', 'sub_newest']);
  });

  it('hands out copies: mutating a returned state does not change the stored one', async () => {
    const { store } = clockedStore();
    const merged = (await store.mergeSubscriptions('ann', [updateOf('sub_1', 1)])) as Record<
      string,
      unknown
    >;
    delete merged.sub_1;
    const read = await store.readSubscriptions('ann');
    (read.sub_1!.fields as Record<string, unknown>).status = 'TAMPERED';
    expect((await store.readSubscriptions('ann')).sub_1?.fields.status?.value).toBe('ACTIVE');
  });

  it('rejects options and leases that are not positive', async () => {
    for (const options of [
      { maxKeys: 0 },
      { maxPeople: 1.5 },
      { doneTtlMs: -1 },
      { maxSubscriptionsPerPerson: 0 },
    ]) {
      expect(() => createMemoryStore(options)).toThrow(RangeError);
    }
    const { store } = clockedStore();
    await expect(store.claim('evt', { leaseMs: 0 })).rejects.toThrow(RangeError);
    await expect(store.claim('evt', { leaseMs: Number.POSITIVE_INFINITY })).rejects.toThrow(
      RangeError,
    );
  });
});

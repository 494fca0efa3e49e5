import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mergeSubscriptionUpdates,
  type PersonState,
  type SubscriptionUpdate,
} from '../../src/state/subscriptions.js';
import { compareVersions, type EventVersion } from '../../src/state/versions.js';
import { deliveryOf, updatesArbitrary, versionArbitrary } from './arbitraries.js';

const mergeAll = (batches: readonly SubscriptionUpdate[][], maxSubscriptions?: number) =>
  batches.reduce<PersonState>(
    (state, batch) => mergeSubscriptionUpdates(state, batch, { maxSubscriptions }),
    {},
  );

const update = (
  subscriptionKey: string,
  at: number,
  id: string,
  fields: SubscriptionUpdate['fields'],
): SubscriptionUpdate => ({ subscriptionKey, version: { at, id }, fields });

const newest = (versions: EventVersion[]) =>
  versions.reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));

describe('mergeSubscriptionUpdates: the order of delivery does not matter', () => {
  it('any permutation of the updates, cut into any batches, gives the same state, down to its JSON', () => {
    fc.assert(
      fc.property(
        updatesArbitrary.chain((updates) => fc.tuple(fc.constant(updates), deliveryOf(updates))),
        ([updates, batches]) => {
          const once = mergeSubscriptionUpdates({}, updates);
          const delivered = mergeAll(batches);
          expect(delivered).toEqual(once);
          expect(JSON.stringify(delivered)).toBe(JSON.stringify(once));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is commutative: a then b equals b then a', () => {
    fc.assert(
      fc.property(updatesArbitrary, updatesArbitrary, (a, b) => {
        expect(mergeAll([a, b])).toEqual(mergeAll([b, a]));
      }),
      { numRuns: 300 },
    );
  });

  it('is associative: (a then b) then c equals a then (b and c together)', () => {
    fc.assert(
      fc.property(updatesArbitrary, updatesArbitrary, updatesArbitrary, (a, b, c) => {
        expect(mergeAll([a, b, c])).toEqual(mergeAll([a, [...b, ...c]]));
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent: merging the same updates twice equals merging them once', () => {
    fc.assert(
      fc.property(updatesArbitrary, updatesArbitrary, (before, updates) => {
        const once = mergeAll([before, updates]);
        expect(mergeSubscriptionUpdates(once, updates)).toEqual(once);
        expect(mergeSubscriptionUpdates(once, [])).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mergeSubscriptionUpdates: newest wins', () => {
  it('per subscription, keeps the newest version; per field, a value the newest event carrying it carried', () => {
    fc.assert(
      fc.property(updatesArbitrary, (updates) => {
        const state = mergeSubscriptionUpdates({}, updates);
        const keys = new Set(updates.map((u) => u.subscriptionKey));
        expect(Object.keys(state).sort()).toEqual([...keys].sort());
        for (const key of keys) {
          const ofKey = updates.filter((u) => u.subscriptionKey === key);
          const subscription = Object.getOwnPropertyDescriptor(state, key)?.value;
          expect(subscription.subscriptionKey).toBe(key);
          expect(subscription.version).toEqual(newest(ofKey.map((u) => u.version)));
          const names = new Set(ofKey.flatMap((u) => Object.keys(u.fields)));
          expect(Object.keys(subscription.fields).sort()).toEqual([...names].sort());
          for (const name of names) {
            const carrying = ofKey.filter((u) => Object.hasOwn(u.fields, name));
            const version = newest(carrying.map((u) => u.version));
            const field = Object.getOwnPropertyDescriptor(subscription.fields, name)?.value;
            expect(field.version).toEqual(version);
            const candidates = carrying
              .filter((u) => compareVersions(u.version, version) === 0)
              .map((u) => Object.getOwnPropertyDescriptor(u.fields, name)?.value)
              .map((value) => (value === 0 ? 0 : value));
            expect(candidates).toContainEqual(field.value);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('an older event re-delivered after a newer one moves nothing back, and adds the fields only it carried', () => {
    const activated = update('sub_1', 2_000, 'evt_2', { status: 'ACTIVE', plan: 'yearly' });
    const started = update('sub_1', 1_000, 'evt_1', { status: 'TRIAL', offer: 'intro' });
    const state = mergeAll([[activated], [started]]);
    expect(state.sub_1).toEqual({
      subscriptionKey: 'sub_1',
      version: { at: 2_000, id: 'evt_2' },
      fields: {
        status: { value: 'ACTIVE', version: { at: 2_000, id: 'evt_2' } },
        plan: { value: 'yearly', version: { at: 2_000, id: 'evt_2' } },
        offer: { value: 'intro', version: { at: 1_000, id: 'evt_1' } },
      },
    });
  });

  it('a plan change keeps both subscriptions: deactivating the old plan leaves the new one active', () => {
    const newPlan = update('sub_new', 5_000, 'evt_activate', { status: 'ACTIVE' });
    const oldPlan = update('sub_old', 5_001, 'evt_deactivate', { status: 'DEACTIVATED' });
    const state = mergeSubscriptionUpdates({}, [newPlan, oldPlan]);
    expect(state.sub_new?.fields.status?.value).toBe('ACTIVE');
    expect(state.sub_old?.fields.status?.value).toBe('DEACTIVATED');
  });

  it('two events of the same millisecond are ordered by id, with plain string comparison', () => {
    const upper = update('sub_1', 1_000, 'evt_B', { status: 'EXPIRED' });
    const lower = update('sub_1', 1_000, 'evt_a', { status: 'ACTIVE' });
    // 'B' (0x42) < 'a' (0x61) in code units, though many locales sort 'a' first.
    expect(mergeSubscriptionUpdates({}, [lower, upper]).sub_1?.fields.status?.value).toBe('ACTIVE');
    expect(mergeSubscriptionUpdates({}, [upper, lower]).sub_1?.fields.status?.value).toBe('ACTIVE');
  });

  it('the same version disagreeing on a field resolves to the same value in either order', () => {
    const one = update('sub_1', 1_000, 'evt_1', { status: 'ACTIVE', flag: true });
    const other = update('sub_1', 1_000, 'evt_1', { status: 7, flag: false });
    const expected = { status: 'ACTIVE', flag: true };
    for (const order of [
      [one, other],
      [other, one],
    ]) {
      const fields = mergeSubscriptionUpdates({}, order).sub_1!.fields;
      expect({ status: fields.status?.value, flag: fields.flag?.value }).toEqual(expected);
    }
  });
});

describe('mergeSubscriptionUpdates: plain, safe JSON', () => {
  it('never mutates its inputs', () => {
    fc.assert(
      fc.property(updatesArbitrary, updatesArbitrary, (before, updates) => {
        const state = mergeSubscriptionUpdates({}, before);
        const snapshot = structuredClone({ state, updates });
        mergeSubscriptionUpdates(state, updates);
        expect({ state, updates }).toEqual(snapshot);
      }),
      { numRuns: 200 },
    );
  });

  it('survives a JSON round trip unchanged, and merging into the parsed copy gives the same result', () => {
    fc.assert(
      fc.property(updatesArbitrary, updatesArbitrary, (before, after) => {
        const state = mergeSubscriptionUpdates({}, before);
        const parsed = JSON.parse(JSON.stringify(state)) as PersonState;
        expect(parsed).toEqual(state);
        expect(mergeSubscriptionUpdates(parsed, after)).toEqual(
          mergeSubscriptionUpdates(state, after),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps `__proto__` and `constructor` as ordinary keys, without touching any prototype', () => {
    const state = mergeSubscriptionUpdates({}, [
      update('__proto__', 1_000, 'evt_1', JSON.parse('{"__proto__": "x", "polluted": true}')),
      update('constructor', 1_000, 'evt_2', { toString: 'y' }),
    ]);
    expect(Object.keys(state).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
    const proto = Object.getOwnPropertyDescriptor(state, '__proto__')?.value;
    expect(Object.keys(proto.fields).sort()).toEqual(['__proto__', 'polluted']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('ignores what JSON cannot hold: non-finite versions and values; -0 is kept as 0', () => {
    const state = mergeSubscriptionUpdates({}, [
      update('sub_1', Number.NaN, 'evt_nan', { status: 'NAN' }),
      update('sub_2', 1_000, 'evt_1', { a: Number.POSITIVE_INFINITY, b: Number.NaN, c: -0 }),
    ]);
    expect(Object.keys(state)).toEqual(['sub_2']);
    expect(Object.keys(state.sub_2!.fields)).toEqual(['c']);
    expect(Object.is(state.sub_2!.fields.c!.value, 0)).toBe(true);
  });
});

describe('mergeSubscriptionUpdates: bounded per person', () => {
  it('keeps 50 subscriptions by default, dropping the ones with the oldest version', () => {
    const updates = Array.from({ length: 60 }, (_, index) =>
      update(`sub_${index}`, 1_000 + ((index * 7) % 60), `evt_${index}`, { index }),
    );
    const state = mergeSubscriptionUpdates({}, updates);
    const kept = Object.values(state).map((s) => s.version.at);
    expect(kept).toHaveLength(50);
    expect(Math.min(...kept)).toBe(1_010);
  });

  it('keeps the same subscriptions at the same versions whatever the delivery: the newest by their newest event', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        updatesArbitrary.chain((updates) => fc.tuple(fc.constant(updates), deliveryOf(updates))),
        (maxSubscriptions, [updates, batches]) => {
          const newestByKey = new Map<string, EventVersion>();
          for (const u of updates) {
            const seen = newestByKey.get(u.subscriptionKey);
            newestByKey.set(u.subscriptionKey, seen ? newest([seen, u.version]) : u.version);
          }
          const expected = [...newestByKey]
            .sort(([keyA, a], [keyB, b]) => compareVersions(b, a) || (keyA < keyB ? -1 : 1))
            .slice(0, maxSubscriptions)
            .map(([key, version]) => [key, version] as const)
            .sort(([a], [b]) => (a < b ? -1 : 1));
          const state = mergeAll(batches, maxSubscriptions);
          expect(Object.values(state).map((s) => [s.subscriptionKey, s.version])).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('in one merge, drops after merging: the kept subscriptions are exactly as without a bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), updatesArbitrary, (maxSubscriptions, updates) => {
        const bounded = mergeSubscriptionUpdates({}, updates, { maxSubscriptions });
        const unbounded = mergeSubscriptionUpdates({}, updates);
        for (const [key, subscription] of Object.entries(bounded)) {
          expect(subscription).toEqual(Object.getOwnPropertyDescriptor(unbounded, key)?.value);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a bound that is not a positive integer', () => {
    for (const maxSubscriptions of [0, -1, 1.5, Number.NaN]) {
      expect(() => mergeSubscriptionUpdates({}, [], { maxSubscriptions })).toThrow(RangeError);
    }
  });
});

describe('compareVersions', () => {
  it('is a total order: antisymmetric, 0 only for equal versions, transitive', () => {
    fc.assert(
      fc.property(versionArbitrary, versionArbitrary, versionArbitrary, (a, b, c) => {
        expect(Math.sign(compareVersions(a, b)) + Math.sign(compareVersions(b, a))).toBe(0);
        expect(compareVersions(a, b) === 0).toBe(a.at === b.at && a.id === b.id);
        if (compareVersions(a, b) < 0 && compareVersions(b, c) < 0) {
          expect(compareVersions(a, c)).toBeLessThan(0);
        }
      }),
    );
  });

  it('orders by time first, then by id', () => {
    expect(compareVersions({ at: 1, id: 'z' }, { at: 2, id: 'a' })).toBeLessThan(0);
    expect(compareVersions({ at: 2, id: 'a' }, { at: 2, id: 'b' })).toBeLessThan(0);
  });
});

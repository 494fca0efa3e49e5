import fc from 'fast-check';
import type { FieldValue, SubscriptionUpdate } from '../../src/state/subscriptions.js';
import type { EventVersion } from '../../src/state/versions.js';

// Few keys, names, times and ids, so that generated updates collide: the same subscription, the same field,
// the same millisecond and the very same version all occur often. `__proto__` and `constructor` are here
// because they are ordinary ids to the merge and must not reach a prototype.
export const subscriptionKeys = ['sub_news', 'sub_games', 'sub_once', '__proto__', 'constructor'];
const fieldNames = ['status', 'plan', 'renews_at', '__proto__', 'toString'];

export const versionArbitrary: fc.Arbitrary<EventVersion> = fc.record({
  at: fc.integer({ min: 1_000, max: 1_004 }),
  id: fc.constantFrom('evt_a', 'evt_b', 'evt_B', 'evt_c'),
});

const fieldValueArbitrary: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.constantFrom('ACTIVE', 'EXPIRED', ''),
  fc.constantFrom(0, -0, 1, 1.5, -2),
  fc.boolean(),
);

export const updateArbitrary: fc.Arbitrary<SubscriptionUpdate> = fc.record({
  subscriptionKey: fc.constantFrom(...subscriptionKeys),
  version: versionArbitrary,
  // Built with Object.fromEntries so that a `__proto__` field is an own property, as JSON.parse makes it.
  fields: fc
    .array(fc.tuple(fc.constantFrom(...fieldNames), fieldValueArbitrary), { maxLength: 4 })
    .map((entries) => Object.fromEntries(entries)),
});

export const updatesArbitrary = fc.array(updateArbitrary, { maxLength: 30 });

/** The same items in another order, cut into consecutive batches: one way a queue could deliver them. */
export function deliveryOf<T>(items: readonly T[]): fc.Arbitrary<T[][]> {
  return fc
    .tuple(
      fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length }),
      fc.array(fc.boolean(), { minLength: items.length, maxLength: items.length }),
    )
    .map(([shuffled, cutAfter]) => {
      const batches: T[][] = [[]];
      shuffled.forEach((item, index) => {
        batches.at(-1)!.push(item);
        if (cutAfter[index] && index < shuffled.length - 1) batches.push([]);
      });
      return batches;
    });
}

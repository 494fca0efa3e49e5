import { compareVersions, type EventVersion } from './versions.js';

/** A subscription attribute as the state keeps it: JSON scalars only, so every store can keep it as JSON. */
export type FieldValue = string | number | boolean;

/** What one event says about one subscription: only the fields it carried, never null. */
export interface SubscriptionUpdate {
  /** The subscription's `purchasely_subscription_id` (or the purchase's key for one-time purchases). */
  subscriptionKey: string;
  /** The event that carried these fields. */
  version: EventVersion;
  fields: Readonly<Record<string, FieldValue>>;
}

/** The latest known state of one subscription, merged from every event seen about it. */
export interface SubscriptionState {
  subscriptionKey: string;
  /** The newest event applied to this subscription. */
  version: EventVersion;
  /** Each field with the version of the event that last set it. */
  fields: Record<string, { value: FieldValue; version: EventVersion }>;
}

/** One person's subscriptions, by subscription key. Plain JSON as it is. */
export type PersonState = Readonly<Record<string, SubscriptionState>>;

export interface MergeSubscriptionOptions {
  /**
   * Subscriptions kept per person; the ones with the oldest `version` are dropped beyond it. Default
   * {@link DEFAULT_MAX_SUBSCRIPTIONS}.
   */
  maxSubscriptions?: number;
}

/**
 * Customer.io attributes describe a person's current subscriptions; a real person has a handful, so one
 * with hundreds is abuse or a bug, and must not grow a state that is read and written on every event.
 */
export const DEFAULT_MAX_SUBSCRIPTIONS = 50;

type FieldEntry = { value: FieldValue; version: EventVersion };
type WorkingSubscription = { version: EventVersion; fields: Map<string, FieldEntry> };

/**
 * Merges events into a person's subscription state, newest wins, and returns a new state (`state` and
 * `updates` are never mutated).
 *
 * - Per subscription, `version` is the newest event applied.
 * - Per field, the value carried by the newest event that carried that field wins: a field an older event
 *   carried survives a newer event that did not carry it.
 * - The same version twice is the same event, so re-applying it changes nothing. Should two updates with
 *   the same version disagree on a field, the greater value wins (booleans < numbers < strings, then
 *   natural order), so even that case does not depend on order.
 * - Updates whose `version.at` is not a finite number, and non-finite number values, are ignored: JSON
 *   cannot hold them, and an unordered version would break the merge's guarantees.
 *
 * The merge is commutative, associative and idempotent: the same updates delivered in any order and any
 * batches give the same state, serialised byte for byte the same (keys are sorted).
 *
 * The state is bounded to `maxSubscriptions`: beyond it, the subscriptions with the oldest `version` are
 * dropped after merging. Which subscriptions are kept, and their versions, are order-independent too (they
 * are the newest by their newest event); the one thing order can change is that a subscription dropped and
 * later revived by a newer event starts again from that event's fields.
 *
 * @example
 * ```ts
 * const state = mergeSubscriptionUpdates({}, [
 *   { subscriptionKey: 'sub_1', version: { at: 2_000, id: 'evt_b' }, fields: { status: 'ACTIVE' } },
 *   { subscriptionKey: 'sub_1', version: { at: 1_000, id: 'evt_a' }, fields: { status: 'TRIAL', plan: 'monthly' } },
 * ]);
 * state.sub_1?.fields.status?.value; // 'ACTIVE': the newer event wins, whatever the delivery order
 * state.sub_1?.fields.plan?.value; // 'monthly': only the older event carried it
 * ```
 */
export function mergeSubscriptionUpdates(
  state: PersonState,
  updates: readonly SubscriptionUpdate[],
  options: MergeSubscriptionOptions = {},
): PersonState {
  const maxSubscriptions = options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS;
  if (!Number.isInteger(maxSubscriptions) || maxSubscriptions < 1) {
    throw new RangeError(`maxSubscriptions must be a positive integer, got ${maxSubscriptions}`);
  }
  // A Map rather than the records themselves: keys such as `__proto__` or `constructor` are ordinary
  // subscription ids and field names here, and must not reach an object's prototype.
  const working = new Map<string, WorkingSubscription>();
  for (const [key, subscription] of Object.entries(state)) {
    working.set(key, {
      version: subscription.version,
      fields: new Map(Object.entries(subscription.fields)),
    });
  }
  for (const update of updates) {
    if (!Number.isFinite(update.version.at)) continue;
    const version = { at: update.version.at, id: update.version.id };
    const subscription = working.get(update.subscriptionKey);
    if (subscription === undefined) {
      working.set(update.subscriptionKey, { version, fields: newFields(update, version) });
      continue;
    }
    if (compareVersions(version, subscription.version) > 0) subscription.version = version;
    for (const [name, field] of newFields(update, version)) {
      const current = subscription.fields.get(name);
      if (current === undefined || isNewer(field, current)) subscription.fields.set(name, field);
    }
  }
  return toPersonState(keepNewest(working, maxSubscriptions));
}

function newFields(update: SubscriptionUpdate, version: EventVersion): Map<string, FieldEntry> {
  const fields = new Map<string, FieldEntry>();
  for (const [name, value] of Object.entries(update.fields)) {
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    // -0 would read back from JSON as 0: store what a store will give back.
    fields.set(name, { value: value === 0 ? 0 : value, version });
  }
  return fields;
}

function isNewer(candidate: FieldEntry, current: FieldEntry): boolean {
  const byVersion = compareVersions(candidate.version, current.version);
  if (byVersion !== 0) return byVersion > 0;
  return compareFieldValues(candidate.value, current.value) > 0;
}

const typeRank = { boolean: 0, number: 1, string: 2 } as const;

function compareFieldValues(a: FieldValue, b: FieldValue): number {
  const rankA = typeRank[typeof a as keyof typeof typeRank];
  const rankB = typeRank[typeof b as keyof typeof typeRank];
  if (rankA !== rankB) return rankA - rankB;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function keepNewest(working: Map<string, WorkingSubscription>, maxSubscriptions: number) {
  const entries = [...working];
  if (entries.length <= maxSubscriptions) return entries;
  // Newest first; two subscriptions updated by the same event are ordered by key, so the cut is total.
  entries.sort(
    ([keyA, a], [keyB, b]) =>
      compareVersions(b.version, a.version) || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0),
  );
  return entries.slice(0, maxSubscriptions);
}

// Sorted keys and fresh objects: the result shares nothing mutable with the inputs, and the same state
// serialises to the same JSON whatever order it was built in.
function toPersonState(entries: Array<[string, WorkingSubscription]>): PersonState {
  const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : 1);
  return Object.fromEntries(
    entries.sort(byKey).map(([subscriptionKey, subscription]) => [
      subscriptionKey,
      {
        subscriptionKey,
        version: copyVersion(subscription.version),
        fields: Object.fromEntries(
          [...subscription.fields]
            .sort(byKey)
            .map(([name, field]) => [
              name,
              { value: field.value, version: copyVersion(field.version) },
            ]),
        ),
      },
    ]),
  );
}

function copyVersion(version: EventVersion): EventVersion {
  return { at: version.at, id: version.id };
}

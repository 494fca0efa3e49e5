import { ACTIVE_SUBSCRIPTION_STATUSES } from '../events/index.js';
import type { FieldValue, PersonState, SubscriptionState } from '../state/subscriptions.js';
import { compareVersions, type EventVersion } from '../state/versions.js';
import { PERSON_ENTRY } from './state-updates.js';

const ACTIVE = new Set<string>(ACTIVE_SUBSCRIPTION_STATUSES);

/** A subscription's fields, values only. */
export type SubscriptionFields = Readonly<Record<string, FieldValue | undefined>>;

/** What the person attributes are computed from: the person's whole state, read once. */
export interface PersonView {
  /** The person's own fields (ids, environment, `last_event`). */
  person: SubscriptionFields;
  /**
   * The subscription the per-subscription attributes describe: the active one that renews last, else the
   * one whose latest event is the newest (the one that ended last). Undefined with no subscription yet.
   */
  current: SubscriptionFields | undefined;
  /** Whether `current` is active. */
  currentIsActive: boolean;
  /** Every active subscription, current first. */
  active: readonly SubscriptionFields[];
  /** The newest event in the whole state: the version of the attributes computed from it. */
  version: EventVersion | undefined;
}

/**
 * Reads a person's state as the attributes see it.
 *
 * A subscription is active while its latest known `subscription_status` is `AUTO_RENEWING`,
 * `AUTO_RENEWING_CANCELED` or `IN_GRACE_PERIOD` (as Purchasely's sample backend grants access), unless a
 * newer plan change replaced it. One-time purchases carry no status and never count as active
 * subscriptions.
 *
 * @example
 * ```ts
 * const view = viewPerson(await store.mergeSubscriptions(personKey, updates));
 * view.active.length; // 2 while NEWS_PLUS and GAMES_PLUS both renew
 * ```
 */
export function viewPerson(state: PersonState): PersonView {
  const subscriptions = Object.values(state).filter(
    (subscription) => subscription.subscriptionKey !== PERSON_ENTRY,
  );
  const active = subscriptions.filter(isActive).sort(byRenewalThenVersion);
  const newestFirst = [...subscriptions].sort((a, b) => compareVersions(b.version, a.version));
  const current = active[0] ?? newestFirst[0];
  let version: EventVersion | undefined;
  for (const entry of Object.values(state)) {
    if (version === undefined || compareVersions(entry.version, version) > 0)
      version = entry.version;
  }
  return {
    person: valuesOf(state[PERSON_ENTRY]),
    current: current === undefined ? undefined : valuesOf(current),
    currentIsActive: current !== undefined && active[0] === current,
    active: active.map(valuesOf),
    version,
  };
}

function isActive(subscription: SubscriptionState): boolean {
  const status = subscription.fields.subscription_status;
  if (status === undefined || typeof status.value !== 'string' || !ACTIVE.has(status.value)) {
    return false;
  }
  const replaced = subscription.fields.replaced_by;
  return replaced === undefined || compareVersions(replaced.version, status.version) < 0;
}

/** The active subscription that renews last first; ties by the newest event, so the order is total. */
function byRenewalThenVersion(a: SubscriptionState, b: SubscriptionState): number {
  const renewal = (subscription: SubscriptionState) => {
    const value = subscription.fields.effective_next_renewal_at_ms?.value;
    return typeof value === 'number' ? value : Number.NEGATIVE_INFINITY;
  };
  return renewal(b) - renewal(a) || compareVersions(b.version, a.version);
}

function valuesOf(subscription: SubscriptionState | undefined): SubscriptionFields {
  const values: Record<string, FieldValue> = {};
  for (const [name, entry] of Object.entries(subscription?.fields ?? {}))
    values[name] = entry.value;
  return values;
}

import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';
import type { FieldValue, SubscriptionUpdate } from '../state/subscriptions.js';

type AnyEvent = PurchaselyEvent | UnknownPurchaselyEvent;

/** The state entry for what belongs to the person rather than to one subscription (ids, last event). */
export const PERSON_ENTRY = '$person';

/** The fields one event says about the person. */
const PERSON_FIELDS = ['user_id', 'anonymous_user_id', 'environment'] as const;

/** The fields one event says about its subscription (or one-time purchase). */
const SUBSCRIPTION_FIELDS = [
  'product',
  'plan',
  'store',
  'store_country',
  'store_product_id',
  'purchase_type',
  'subscription_status',
  'offer_type',
  'promotional_offer_id',
  'is_family_shared',
  'content_id',
  'purchased_at_ms',
  'original_purchased_at_ms',
  'effective_next_renewal_at_ms',
] as const;

/**
 * Which of the person's purchases an event is about: Purchasely's subscription id, else its one-time
 * purchase id, else the store's original transaction (payloads from before those ids existed).
 */
export function subscriptionKeyOf(event: AnyEvent): string {
  if (filled(event.purchasely_subscription_id)) return event.purchasely_subscription_id;
  if (filled(event.purchasely_one_time_purchase_id)) {
    return `one_time:${event.purchasely_one_time_purchase_id}`;
  }
  if (filled(event.store_original_transaction_id)) {
    return `store:${event.store_original_transaction_id}`;
  }
  return `product:${event.product ?? ''}`;
}

/**
 * What one event says about its person, as state updates stamped with the event's version (its creation
 * time, then its id): the person's own fields and `last_event`; its subscription's fields and latest event
 * name; and, on a plan change, that the subscription switched from is replaced (so it stops counting as
 * active even if its own ending event is never forwarded). Only fields the event carries are included: a
 * field an older event set survives a newer event that says nothing of it.
 *
 * @example
 * ```ts
 * const updates = toStateUpdates(event, purchaselyEventKey(event));
 * const state = await store.mergeSubscriptions('id:user-1', updates);
 * ```
 */
export function toStateUpdates(event: AnyEvent, key: string): SubscriptionUpdate[] {
  const version = {
    at: event.event_created_at_ms,
    id: filled(event.event_id) ? event.event_id : key,
  };
  const subscriptionKey = subscriptionKeyOf(event);
  const updates: SubscriptionUpdate[] = [
    {
      subscriptionKey: PERSON_ENTRY,
      version,
      fields: { ...pick(event, PERSON_FIELDS), last_event: event.event_name },
    },
    {
      subscriptionKey,
      version,
      fields: { ...pick(event, SUBSCRIPTION_FIELDS), event_name: event.event_name },
    },
  ];
  const replaced = (event as { from_purchasely_subscription_id?: unknown })
    .from_purchasely_subscription_id;
  if (filled(replaced) && replaced !== subscriptionKey) {
    updates.push({ subscriptionKey: replaced, version, fields: { replaced_by: subscriptionKey } });
  }
  return updates;
}

function pick(event: AnyEvent, fields: readonly string[]): Record<string, FieldValue> {
  const picked: Record<string, FieldValue> = {};
  const record = event as unknown as Record<string, unknown>;
  for (const field of fields) {
    const value = record[field];
    if (typeof value === 'string' || typeof value === 'boolean') picked[field] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) picked[field] = value;
  }
  return picked;
}

function filled(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

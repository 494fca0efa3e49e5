import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';

/**
 * The idempotency key of an event: its `event_id`. Payloads from before Purchasely added `event_id` (2021
 * samples) fall back to the fields that identify one occurrence: name, transaction ids, creation time and
 * user. Retries keep `event_created_at` unchanged, so the fallback is stable across re-deliveries too.
 *
 * @example
 * ```ts
 * purchaselyEventKey(event); // '5e45109f-7fac-45f8-a7e4-464892d5d35d'
 * ```
 */
export function purchaselyEventKey(event: PurchaselyEvent | UnknownPurchaselyEvent): string {
  if (typeof event.event_id === 'string' && event.event_id !== '') return event.event_id;
  return [
    'fallback',
    event.event_name,
    event.store_original_transaction_id,
    event.store_transaction_id,
    event.event_created_at_ms,
    event.user_id ?? event.anonymous_user_id ?? '',
  ].join(':');
}

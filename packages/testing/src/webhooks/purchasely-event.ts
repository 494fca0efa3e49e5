import type { PurchaselyEventName, PurchaselyEventOf } from '@purchasely-customerio/core';

/** Fields to set on a generated event: any documented field, or any other key. */
export type PurchaselyEventOverrides<Name extends PurchaselyEventName> = Partial<
  PurchaselyEventOf<Name>
> &
  Record<string, unknown>;

/**
 * A realistic api_version 3 payload for any event, shaped after Purchasely's published samples: a Google
 * Play monthly subscription of user `toto`, in `PRODUCTION` (the bridge ignores `SANDBOX` events by default,
 * so a production event is the one that reaches Customer.io; pass `{ environment: 'SANDBOX' }` for the
 * other). Each call gets a fresh `event_id`; dates derive from `event_created_at_ms` (default: now) so the
 * ISO and `_ms` twins always agree.
 *
 * @example
 * ```ts
 * const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'user-42', plan: 'yearly' });
 * const body = JSON.stringify(event);
 * ```
 */
export function purchaselyEvent<Name extends PurchaselyEventName>(
  eventName: Name,
  overrides: PurchaselyEventOverrides<Name> = {},
): PurchaselyEventOf<Name> {
  const createdMs =
    typeof overrides.event_created_at_ms === 'number' ? overrides.event_created_at_ms : Date.now();
  const purchasedMs = createdMs - 5 * 60_000;
  const originalMs = purchasedMs - 30 * 24 * 3_600_000;
  const renewalMs = purchasedMs + 30 * 24 * 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    api_version: 3,
    event_name: eventName,
    event_id: crypto.randomUUID(),
    event_created_at: iso(createdMs),
    event_created_at_ms: createdMs,
    user_id: 'toto',
    device_type: 'PHONE',
    environment: 'PRODUCTION',
    store: 'GOOGLE_PLAY_STORE',
    store_country: 'FR',
    store_app_bundle_id: 'com.purchasely.demo',
    store_product_id: 'com.purchasely.plus.monthly',
    store_transaction_id: 'GPA.3355-5688-7970-28037..5',
    store_original_transaction_id: 'GPA.3355-5688-7970-28037',
    purchase_type: 'RENEWING_SUBSCRIPTION',
    product: 'PURCHASELY_PLUS',
    plan: 'monthly',
    purchasely_subscription_id: 'subs_D7GnVQbUxvY6YxoeK6nhyPDkmyCVcfe',
    is_family_shared: false,
    offer_type: 'NONE',
    previous_offer_type: 'NONE',
    subscription_status: 'AUTO_RENEWING',
    purchased_at: iso(purchasedMs),
    purchased_at_ms: purchasedMs,
    original_purchased_at: iso(originalMs),
    original_purchased_at_ms: originalMs,
    next_renewal_at: iso(renewalMs),
    next_renewal_at_ms: renewalMs,
    effective_next_renewal_at: iso(renewalMs),
    effective_next_renewal_at_ms: renewalMs,
    customer_currency: 'EUR',
    plan_price_in_customer_currency: 9.99,
    plan_price_in_eur: 9.99,
    cumulated_revenues_in_eur: 69.9,
    ...(eventName === 'TRANSACTION_PROCESSED'
      ? {
          amount_in_eur: 9.99,
          amount_in_customer_currency: 9.99,
          source_event_name: 'SUBSCRIPTION_RENEWED',
        }
      : {}),
    ...overrides,
  } as unknown as PurchaselyEventOf<Name>;
}

import * as z from 'zod/mini';
import type { PurchaselyEventName } from './catalog.js';
import type {
  PurchaselyDeviceType,
  PurchaselyEnvironment,
  PurchaselyOfferType,
  PurchaselyPurchaseType,
  PurchaselyStore,
  PurchaselySubscriptionStatus,
} from './enums.js';

/*
 * Field shapes of the api_version 3 payload (reference §2.2). Required fields are those Purchasely's own
 * receiver (its Firebase extension) requires; everything else may be absent or null, because a missing
 * optional field must never turn into a rejected webhook that Purchasely re-sends for 20 days.
 */

/** An optional field: absent, null, or of the given type. */
const optional = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));

/** A string enum that also accepts values Purchasely adds later; unknown values become warnings. */
const openEnum = <T extends string>() => z.string() as unknown as z.ZodMiniType<T, string>;

/** A date as Purchasely sends it: an ISO-8601 UTC string. Its epoch-milliseconds twin is `<name>_ms`. */
const isoDate = z.string();
// Whole, non-negative epoch milliseconds: the dedup id is derived from event_created_at_ms.
const epochMs = z.int().check(z.nonnegative());

export const baseEventShape = {
  api_version: z.number(),
  event_name: z.string(),
  event_id: optional(z.string()),
  event_created_at: isoDate,
  event_created_at_ms: epochMs,

  anonymous_user_id: optional(z.string()),
  user_id: optional(z.string()),
  device_id: optional(z.string()),
  device_type: optional(openEnum<PurchaselyDeviceType>()),

  environment: openEnum<PurchaselyEnvironment>(),
  store: openEnum<PurchaselyStore>(),
  store_country: optional(z.string()),
  store_app_bundle_id: z.string(),
  store_product_id: z.string(),
  store_transaction_id: z.string(),
  store_original_transaction_id: z.string(),
  purchase_token: optional(z.string()),

  purchase_type: optional(openEnum<PurchaselyPurchaseType>()),
  product: z.string(),
  plan: optional(z.string()),
  purchasely_subscription_id: optional(z.string()),
  purchasely_one_time_purchase_id: optional(z.string()),
  content_id: optional(z.string()),
  is_family_shared: optional(z.boolean()),

  offer_type: optional(openEnum<PurchaselyOfferType>()),
  previous_offer_type: optional(openEnum<PurchaselyOfferType>()),
  subscription_status: optional(openEnum<PurchaselySubscriptionStatus>()),
  offer_code_ref_name: optional(z.string()),
  offer_identifier: optional(z.string()),
  promotional_offer_id: optional(z.string()),

  purchased_at: isoDate,
  purchased_at_ms: epochMs,
  original_purchased_at: isoDate,
  original_purchased_at_ms: epochMs,
  next_renewal_at: optional(isoDate),
  next_renewal_at_ms: optional(epochMs),
  effective_next_renewal_at: optional(isoDate),
  effective_next_renewal_at_ms: optional(epochMs),
  grace_period_expires_at: optional(isoDate),
  grace_period_expires_at_ms: optional(epochMs),
  defer_end_at: optional(isoDate),
  defer_end_at_ms: optional(epochMs),
  auto_resume_at: optional(isoDate),
  auto_resume_at_ms: optional(epochMs),

  customer_currency: optional(z.string()),
  plan_price_in_customer_currency: optional(z.number()),

  presentation: optional(z.string()),
  placement: optional(z.string()),
  ab_test: optional(z.string()),
  ab_test_variant: optional(z.string()),
  audience: optional(z.string()),
};

/** `SUBSCRIPTION_TRANSFERRED` / `ONE_TIME_PURCHASE_TRANSFERRED`: who the purchase went to. */
export const transferredToShape = {
  transferred_to_user_id: optional(z.string()),
  transferred_to_anonymous_user_id: optional(z.string()),
};

/** `SUBSCRIPTION_RECEIVED` / `ONE_TIME_PURCHASE_RECEIVED`: who the purchase came from. */
export const transferredFromShape = {
  transferred_from_user_id: optional(z.string()),
  transferred_from_anonymous_user_id: optional(z.string()),
};

/** `SUBSCRIPTION_CROSSGRADED` / `_DOWNGRADED` / `_UPGRADED`: the subscription and plan switched from. */
export const planChangeShape = {
  from_purchasely_subscription_id: optional(z.string()),
  previous_plan: optional(z.string()),
};

/** `TRANSACTION_PROCESSED`: the amount charged (or refunded, when negative). */
export const transactionShape = {
  // Purchasely's attribute table calls it a string while every sample sends a number: accept both, keep a number.
  amount_in_customer_currency: optional(
    z.union([
      z.number(),
      z.pipe(z.string().check(z.regex(/^-?\d+(\.\d+)?$/)), z.transform(Number)),
    ]),
  ),
  source_event_name: optional(z.string() as unknown as z.ZodMiniType<SourceEventName, string>),
};

type SourceEventName = PurchaselyEventName | (string & Record<never, never>);

/*
 * Currency-keyed amounts: `<prefix>_in_<cur>` where `<cur>` is the lowercase ISO-4217 code of the app's
 * default integration currency (e.g. `plan_price_in_eur`). Keys are dynamic, so they are checked by pattern.
 */
export const CURRENCY_PREFIXES = ['plan_price', 'cumulated_revenues'] as const;
export const TRANSACTION_CURRENCY_PREFIXES = [...CURRENCY_PREFIXES, 'amount'] as const;

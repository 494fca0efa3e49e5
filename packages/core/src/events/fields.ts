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
 * Field shapes of the api_version 3 payload (reference §2.2). A receiver must be tolerant: Purchasely's own
 * documents disagree on what is mandatory (its attribute table says `store` is not, its Firebase extension
 * requires it), and a field we require but Purchasely leaves out turns into a webhook acknowledged as failed
 * and lost. So only what delivery truly needs is required:
 * - `api_version` (3), `event_name`, and `event_created_at_ms`, the event's time (its ISO twin may be absent);
 * - `environment`, see below;
 * - the ids the dedup key is built from (`purchaselyEventKey`): `event_id`, or, when it is absent, null or
 *   empty, both `store_transaction_id` and `store_original_transaction_id` (checked by `dedupIdsCheck`).
 * Identity (`user_id` / `anonymous_user_id`) is optional here: the bridge skips an event without one.
 * Everything else may be absent or null; a value that is present keeps its type check.
 */

/** An optional field: absent, null, or of the given type. */
const optional = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));

/** A string enum that also accepts values Purchasely adds later; unknown values become warnings. */
const openEnum = <T extends string>() => z.string() as unknown as z.ZodMiniType<T, string>;

/** A date as Purchasely sends it: an ISO-8601 UTC string. Its epoch-milliseconds twin is `<name>_ms`. */
const isoDate = z.string();

/**
 * The plausible range of an epoch-milliseconds field: from 2000-01-01T00:00:00.000Z inclusive to
 * 2100-01-01T00:00:00.000Z exclusive. Fixed bounds (not relative to now) keep parsing deterministic. A value
 * outside it (e.g. 1e15, microseconds sent as milliseconds) cannot become an event id (a ULID holds 48 bits
 * of time, Customer.io wants 10-digit unix seconds) and would fail every re-delivery: it is a schema failure.
 */
export const EPOCH_MS_MIN = Date.UTC(2000, 0, 1);
export const EPOCH_MS_MAX = Date.UTC(2100, 0, 1);
const EPOCH_RANGE_MESSAGE =
  `expected whole epoch milliseconds from ${new Date(EPOCH_MS_MIN).toISOString()} (inclusive) ` +
  `to ${new Date(EPOCH_MS_MAX).toISOString()} (exclusive)`;

/** Whole epoch milliseconds in the plausible range; the message names the range, never the value. */
const epochMs = z.number().check(
  z.refine((ms) => Number.isInteger(ms) && ms >= EPOCH_MS_MIN && ms < EPOCH_MS_MAX, {
    message: EPOCH_RANGE_MESSAGE,
  }),
);

export const baseEventShape = {
  api_version: z.number(),
  event_name: z.string(),
  event_id: optional(z.string()),
  event_created_at: optional(isoDate),
  event_created_at_ms: epochMs,

  anonymous_user_id: optional(z.string()),
  user_id: optional(z.string()),
  device_id: optional(z.string()),
  device_type: optional(openEnum<PurchaselyDeviceType>()),

  // Required: it routes the event to the sandbox or the production workspace, and every Purchasely source
  // marks it mandatory. Guessing it would send test purchases to real customers (or the reverse).
  environment: openEnum<PurchaselyEnvironment>(),
  store: optional(openEnum<PurchaselyStore>()),
  store_country: optional(z.string()),
  store_app_bundle_id: optional(z.string()),
  store_product_id: optional(z.string()),
  // The dedup key's fallback when event_id is absent: see dedupIdsCheck.
  store_transaction_id: optional(z.string()),
  store_original_transaction_id: optional(z.string()),
  purchase_token: optional(z.string()),

  purchase_type: optional(openEnum<PurchaselyPurchaseType>()),
  product: optional(z.string()),
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

  purchased_at: optional(isoDate),
  purchased_at_ms: optional(epochMs),
  original_purchased_at: optional(isoDate),
  original_purchased_at_ms: optional(epochMs),
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

/**
 * The ids the dedup key is built from (`purchaselyEventKey`): a non-empty `event_id`, or else both store
 * transaction ids, non-empty. Payloads from before Purchasely added `event_id` (2021 samples) use the latter.
 */
export const dedupIdsCheck = z.superRefine((payload: Record<string, unknown>, context) => {
  const filled = (value: unknown) => typeof value === 'string' && value !== '';
  if (filled(payload.event_id)) return;
  for (const key of ['store_transaction_id', 'store_original_transaction_id']) {
    // A present value of the wrong type is already reported by its field schema.
    const value = payload[key];
    if (value === undefined || value === null || value === '') {
      context.addIssue({
        code: 'custom',
        path: [key],
        message: 'is required when event_id is absent (it builds the dedup key)',
      });
    }
  }
});

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

/**
 * Known values with autocompletion, while any other string still type-checks. (type-fest's `LiteralUnion`,
 * defined here because type-fest 5 is ESM-only and a CommonJS consumer could not load it from our `.d.cts`.)
 */
type LiteralUnion<Known extends string, Base extends string> =
  | Known
  | (Base & Record<never, never>);

/**
 * Stores. Purchasely's docs spell Amazon and Huawei two ways (`AMAZON_APPSTORE` / `AMAZON_APP_STORE`,
 * `HUAWEI_APPGALLERY` / `HUAWEI_APP_GALLERY`) and which one is sent is unconfirmed, so both are known.
 */
export const PURCHASELY_STORES = [
  'APPLE_APP_STORE',
  'GOOGLE_PLAY_STORE',
  'AMAZON_APPSTORE',
  'AMAZON_APP_STORE',
  'HUAWEI_APPGALLERY',
  'HUAWEI_APP_GALLERY',
  'STRIPE',
] as const;

/** Whether an event comes from a store's sandbox or from production. */
export const PURCHASELY_ENVIRONMENTS = ['SANDBOX', 'PRODUCTION'] as const;

/** What was bought. */
export const PURCHASELY_PURCHASE_TYPES = [
  'CONSUMABLE',
  'NON_CONSUMABLE',
  'NON_RENEWING_SUBSCRIPTION',
  'RENEWING_SUBSCRIPTION',
] as const;

/** The offer a subscription is in; `previous_offer_type` takes the same values. */
export const PURCHASELY_OFFER_TYPES = [
  'NONE',
  'FREE_TRIAL',
  'INTRO_OFFER',
  'PROMO_CODE',
  'PROMOTIONAL_OFFER',
] as const;

/** Subscription state after the event. */
export const PURCHASELY_SUBSCRIPTION_STATUSES = [
  'AUTO_RENEWING',
  'ON_HOLD',
  'IN_GRACE_PERIOD',
  'AUTO_RENEWING_CANCELED',
  'DEACTIVATED',
  'REVOKED',
  'PAUSED',
  'UNPAID',
] as const;

/** The kind of device the purchase was made on. */
export const PURCHASELY_DEVICE_TYPES = ['COMPUTER', 'PAD', 'PHONE', 'TV'] as const;

/**
 * The statuses in which the user still has access, as Purchasely's own sample backend treats them. Used to
 * derive `has_active_subscription`.
 */
export const ACTIVE_SUBSCRIPTION_STATUSES = [
  'AUTO_RENEWING',
  'AUTO_RENEWING_CANCELED',
  'IN_GRACE_PERIOD',
] as const satisfies readonly PurchaselySubscriptionStatus[];

/*
 * Enum fields are typed as their known values *or any string*: Purchasely adds values over time and a webhook
 * receiver must not reject an event for it. Unknown values are reported as parse warnings instead.
 */
export type PurchaselyStore = LiteralUnion<(typeof PURCHASELY_STORES)[number], string>;
export type PurchaselyEnvironment = LiteralUnion<(typeof PURCHASELY_ENVIRONMENTS)[number], string>;
export type PurchaselyPurchaseType = LiteralUnion<
  (typeof PURCHASELY_PURCHASE_TYPES)[number],
  string
>;
export type PurchaselyOfferType = LiteralUnion<(typeof PURCHASELY_OFFER_TYPES)[number], string>;
export type PurchaselySubscriptionStatus = LiteralUnion<
  (typeof PURCHASELY_SUBSCRIPTION_STATUSES)[number],
  string
>;
export type PurchaselyDeviceType = LiteralUnion<(typeof PURCHASELY_DEVICE_TYPES)[number], string>;

/** The enum-typed payload fields and their known values, checked after parsing to emit warnings. */
export const ENUM_FIELDS = {
  store: PURCHASELY_STORES,
  environment: PURCHASELY_ENVIRONMENTS,
  purchase_type: PURCHASELY_PURCHASE_TYPES,
  offer_type: PURCHASELY_OFFER_TYPES,
  previous_offer_type: PURCHASELY_OFFER_TYPES,
  subscription_status: PURCHASELY_SUBSCRIPTION_STATUSES,
  device_type: PURCHASELY_DEVICE_TYPES,
} as const satisfies Record<string, readonly string[]>;

export {
  isPurchaselyEventName,
  PURCHASELY_EVENT_NAMES,
  PURCHASELY_EVENTS,
  type PurchaselyEventGroup,
  type PurchaselyEventInfo,
  type PurchaselyEventName,
  type PurchaselyEventNameIn,
  purchaselyEventsInGroup,
} from './catalog.js';
export {
  ACTIVE_SUBSCRIPTION_STATUSES,
  PURCHASELY_DEVICE_TYPES,
  PURCHASELY_ENVIRONMENTS,
  PURCHASELY_OFFER_TYPES,
  PURCHASELY_PURCHASE_TYPES,
  PURCHASELY_STORES,
  PURCHASELY_SUBSCRIPTION_STATUSES,
  type PurchaselyDeviceType,
  type PurchaselyEnvironment,
  type PurchaselyOfferType,
  type PurchaselyPurchaseType,
  type PurchaselyStore,
  type PurchaselySubscriptionStatus,
} from './enums.js';
export {
  PurchaselyPayloadError,
  type PurchaselyPayloadErrorCode,
  type PurchaselyPayloadIssue,
} from './errors.js';
export {
  type ParsePurchaselyEventOptions,
  type ParsePurchaselyEventResult,
  type PurchaselyParseWarning,
  parsePurchaselyEvent,
} from './parse.js';
export { purchaselyEventSchema, unknownPurchaselyEventSchema } from './schemas.js';
export type {
  PurchaselyCurrencyAmounts,
  PurchaselyEvent,
  PurchaselyEventFields,
  PurchaselyEventOf,
  UnknownPurchaselyEvent,
} from './types.js';

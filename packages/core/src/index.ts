/**
 * `@purchasely-customerio/core`: the framework-free heart of purchasely-customerio.
 *
 * This file is the public API, and the whole of it: what the README documents, and the types those
 * functions take and return. Every name is listed explicitly (no `export *`), so a helper exported from
 * a module for its neighbours never becomes a promise to users. `packages/core/api/exports.txt` is the
 * committed snapshot of this list; `test/public-api.test.ts` fails when the two differ.
 *
 * - the bridge: `createPurchaselyBridge`, its configuration, answers, logger, queue and store ports.
 * - events: the typed catalog of every Purchasely server event and `parsePurchaselyEvent`.
 * - signatures: `createPurchaselyVerifier`, `verifyPurchaselySignature` and the test signer
 *   `signPurchaselyWebhook`.
 * - the region-aware Customer.io Track API client, `createCustomerIoClient`.
 *
 * Everything here runs on Web APIs only (fetch, Web Crypto), so it works on Node, Bun, Deno and
 * Cloudflare Workers alike.
 *
 * @packageDocumentation
 */

// The bridge.
export {
  type AcceptedEvent,
  type AcceptResult,
  type ArchiveRecord,
  type BodyProblem,
  type BridgeHooks,
  type BridgeLogger,
  type BridgeOutcome,
  type BridgeRequest,
  type BridgeResponse,
  type ConsoleLike,
  type CustomerIoSetting,
  createConsoleLogger,
  createPurchaselyBridge,
  type DeliverOptions,
  type DeliveryOutcome,
  type DeliveryQueue,
  type HandlerFailurePolicy,
  type PurchaselyBridge,
  type PurchaselyBridgeConfig,
  type PurchaselyEventHandler,
  type SandboxPolicy,
  type SkipReason,
  STATUS_BY_OUTCOME,
  type TransientFailureReason,
  type WebhookArchive,
} from './bridge/index.js';
// The Customer.io Track API client, usable on its own.
export {
  type AnonymousEvent,
  type Attributes,
  type Batcher,
  type BatcherOptions,
  type BatcherStats,
  type BatchFailure,
  type BatchResult,
  CustomerIoAbortError,
  CustomerIoBatchError,
  type CustomerIoCallOptions,
  type CustomerIoClient,
  type CustomerIoClientOptions,
  CustomerIoDeadlineError,
  CustomerIoError,
  type CustomerIoErrorJSON,
  CustomerIoHttpError,
  type CustomerIoLogger,
  CustomerIoNetworkError,
  type CustomerIoRegion,
  CustomerIoRegionError,
  type CustomerIoRegionSetting,
  CustomerIoTimeoutError,
  CustomerIoValidationError,
  createCustomerIoClient,
  createRateLimiter,
  type Device,
  type EventData,
  eventIdFor,
  type IdentifyOptions,
  isCustomerIoAbortError,
  isCustomerIoBatchError,
  isCustomerIoDeadlineError,
  isCustomerIoError,
  isCustomerIoHttpError,
  isCustomerIoNetworkError,
  isCustomerIoRegionError,
  isCustomerIoTimeoutError,
  isCustomerIoValidationError,
  type JsonValue,
  type LocalRateLimiter,
  type PersonAddDeviceOperation,
  type PersonDeleteDeviceOperation,
  type PersonDeleteOperation,
  type PersonEventOperation,
  type PersonIdentifier,
  type PersonIdentifyOperation,
  type PersonMergeOperation,
  type PersonRef,
  type PersonRelationshipsOperation,
  type PersonSuppressOperation,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitOptions,
  type RegionInfo,
  type Relationship,
  type ResponseHeaders,
  type RetryOptions,
  type TrackEvent,
  type TrackV2Operation,
  type UnattributedBatchError,
  type V2PersonIdentifiers,
  type ViewOptions,
} from './customerio/index.js';
// The SDK's error base.
export {
  isPurchaselyCustomerIoError,
  PurchaselyCustomerIoError,
  type PurchaselyCustomerIoErrorJSON,
} from './errors.js';
// Purchasely events: the catalog, the typed payloads and the parser.
export {
  isPurchaselyEventName,
  type ParsePurchaselyEventOptions,
  type ParsePurchaselyEventResult,
  PURCHASELY_EVENT_NAMES,
  PURCHASELY_EVENTS,
  type PurchaselyCurrencyAmounts,
  type PurchaselyDeviceType,
  type PurchaselyEnvironment,
  type PurchaselyEvent,
  type PurchaselyEventFields,
  type PurchaselyEventGroup,
  type PurchaselyEventInfo,
  type PurchaselyEventName,
  type PurchaselyEventNameIn,
  type PurchaselyEventOf,
  type PurchaselyOfferType,
  type PurchaselyParseWarning,
  PurchaselyPayloadError,
  type PurchaselyPayloadErrorCode,
  type PurchaselyPayloadIssue,
  type PurchaselyPurchaseType,
  type PurchaselyStore,
  type PurchaselySubscriptionStatus,
  parsePurchaselyEvent,
  purchaselyEventSchema,
  purchaselyEventsInGroup,
  type UnknownPurchaselyEvent,
} from './events/index.js';
// Bridge configuration: identity resolution, event names and person attributes.
export {
  type IdentifyAnswer,
  type IdentifyResolver,
  PurchaselyBridgeConfigError,
  type ResolvedIdentity,
  USER_PROPERTY_NAMES,
  type UserPropertyName,
  type UserPropertyOptions,
} from './mapping/index.js';

// Purchasely webhook signatures.
export {
  createPurchaselyVerifier,
  type HeaderRecord,
  type HeadersGetter,
  type HeadersLike,
  PURCHASELY_DEPRECATED_SIGNATURE_HEADER,
  PURCHASELY_SIGNATURE_HEADER,
  PURCHASELY_TIMESTAMP_HEADER,
  PurchaselyRawBodyError,
  PurchaselySignatureConfigError,
  type PurchaselySignatureHeaders,
  type PurchaselyVerifier,
  type PurchaselyVerifierOptions,
  type PurchaselyVerifyInput,
  type RawBody,
  type SignatureFailureReason,
  type SignatureScheme,
  type SignatureVerificationFailure,
  type SignatureVerificationResult,
  type SignatureVerificationSuccess,
  type SignatureWarning,
  type SignatureWarningCode,
  type SignPurchaselyWebhookOptions,
  signPurchaselyWebhook,
  type VerifyPurchaselySignatureOptions,
  verifyPurchaselySignature,
} from './signature/index.js';
// The store port and its memory implementation.
export {
  type BridgeStore,
  type ClaimResult,
  createMemoryStore,
  type EventVersion,
  type FieldValue,
  type MemoryStoreOptions,
  type PersonState,
  type SubscriptionState,
  type SubscriptionUpdate,
} from './state/index.js';

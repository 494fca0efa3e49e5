/**
 * The Customer.io Track API client: `createCustomerIoClient` and the pieces it is built from
 * (regions, limits, ULIDs, retries, rate limiting, batch splitting, errors).
 *
 * @example
 * ```ts
 * import { createCustomerIoClient } from '@purchasely-customerio/core';
 *
 * const cio = createCustomerIoClient({ siteId, apiKey, region: 'auto' });
 * await cio.track('user-1', { name: 'subscription_started' });
 * ```
 *
 * @module
 */
export { base64Utf8, basicAuthorization } from './auth.js';
export { BATCH_ENVELOPE_BYTES, type BatchChunk, splitBatch } from './batch-split.js';
export {
  type Batcher,
  type BatcherOptions,
  type BatcherStats,
  DEFAULT_BATCHER_MAX_BYTES,
} from './batcher.js';
export {
  type CustomerIoClient,
  type CustomerIoClientOptions,
  createCustomerIoClient,
  type RateLimitOptions,
} from './client.js';
export {
  CustomerIoAbortError,
  CustomerIoBatchError,
  CustomerIoDeadlineError,
  CustomerIoError,
  type CustomerIoErrorJSON,
  CustomerIoHttpError,
  CustomerIoNetworkError,
  CustomerIoRegionError,
  CustomerIoTimeoutError,
  CustomerIoValidationError,
  isCustomerIoAbortError,
  isCustomerIoBatchError,
  isCustomerIoDeadlineError,
  isCustomerIoError,
  isCustomerIoHttpError,
  isCustomerIoNetworkError,
  isCustomerIoRegionError,
  isCustomerIoTimeoutError,
  isCustomerIoValidationError,
  type ResponseHeaders,
} from './errors.js';
export { sha256 } from './hash.js';
export { personPathSegment, stripCioPrefix, toV2Identifiers } from './identifiers.js';
export { jsonByteLength, TRACK_LIMITS, utf8ByteLength } from './limits.js';
export {
  createRateLimiter,
  type LocalRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
} from './rate-limiter.js';
export { isRedirectStatus, MAX_REDIRECTS } from './redirects.js';
export {
  type CustomerIoRegion,
  type CustomerIoRegionSetting,
  type RegionInfo,
  resolveTrackBaseUrl,
  TRACK_REGIONS,
} from './regions.js';
export {
  backoffDelay,
  DEFAULT_RETRY_OPTIONS,
  isRetryableStatus,
  type RetryOptions,
} from './retry.js';
export { type PreparedOperation, prepareOperation } from './track-v2.js';
export type {
  AnonymousEvent,
  Attributes,
  BatchFailure,
  BatchResult,
  CustomerIoCallOptions,
  CustomerIoLogger,
  Device,
  EventData,
  IdentifyOptions,
  JsonValue,
  PersonAddDeviceOperation,
  PersonDeleteDeviceOperation,
  PersonDeleteOperation,
  PersonEventOperation,
  PersonIdentifier,
  PersonIdentifyOperation,
  PersonMergeOperation,
  PersonRef,
  PersonRelationshipsOperation,
  PersonSuppressOperation,
  Relationship,
  TrackEvent,
  TrackV2Operation,
  UnattributedBatchError,
  V2PersonIdentifiers,
  ViewOptions,
} from './types.js';
export { eventIdFor, isUlid, ulid, ulidTime } from './ulid.js';

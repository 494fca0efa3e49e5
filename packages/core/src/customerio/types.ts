/**
 * Public types of the Customer.io Track API client: identifiers, attributes, event and device
 * payloads, and the typed Track v2 operations.
 *
 * v1 methods take camelCase options and build the wire body; v2 operations are the wire shapes
 * themselves (snake_case, as Customer.io documents them), so they can be stored, queued and
 * replayed as plain JSON.
 *
 * @module
 */

/**
 * Addresses one person by exactly one identifier. A `cio_id` may be given with or without the
 * `cio_` prefix; the client writes `cio_<value>` in v1 paths and the bare value on v2.
 */
export type PersonIdentifier = { id: string } | { email: string } | { cio_id: string };

/** A person: a plain string is the person's `id`, or an explicit {@link PersonIdentifier}. */
export type PersonRef = string | PersonIdentifier;

/**
 * v2 person identifiers: like {@link PersonIdentifier}, plus `phone` (E.164; only when the
 * workspace allows phone identifiers).
 */
export type V2PersonIdentifiers = PersonIdentifier | { phone: string };

/** A JSON value. Customer.io documents string, number and boolean attribute values. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Person attributes for identify. `undefined` values are dropped (JSON does); `null` or `''`
 * removes an attribute in Customer.io. Reserved keys include `email`, `created_at` (unix
 * seconds), `unsubscribed`, `cio_subscription_preferences` and `cio_relationships`.
 */
export type Attributes = Record<string, JsonValue | undefined>;

/** Event data (`data` on v1, `attributes` on v2). */
export type EventData = Record<string, JsonValue | undefined>;

/**
 * Per-call limits for `identify`, `track`, `trackAnonymous` and `batch`: what the caller can still
 * afford. They hold for every request of the call (retries, redirect hops, each request of a split
 * batch).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const { id } = await cio.track(
 *   'user-1',
 *   { name: 'purchase' },
 *   { signal: controller.signal, deadline: Date.now() + 5000 },
 * );
 * ```
 */
export interface CustomerIoCallOptions {
  /**
   * Cancels the call: rate-limit and retry waits end, the request in flight is aborted, nothing is
   * sent afterwards, and the call rejects with a `CustomerIoAbortError`.
   */
  signal?: AbortSignal | undefined;
  /**
   * Epoch milliseconds (`Date.now()`; for rate-limit waits, the injected `now` of `rateLimit` if any) after which no
   * wait may end: a rate-limit wait past it rejects at once with a `CustomerIoDeadlineError`
   * (nothing sent, no slot taken), and a retry wait past it is not started (the last error is
   * thrown). A request already on its way is bounded by `timeoutMs`, not by the deadline.
   */
  deadline?: number | undefined;
}

/** Options for `identify`. */
export interface IdentifyOptions extends CustomerIoCallOptions {
  /**
   * Unix seconds, sent as `_timestamp`: Customer.io applies attribute updates sent in quick
   * succession in this order rather than arrival order.
   */
  timestamp?: number;
  /** Send `_update: true`: only update an existing person, never create one. */
  update?: boolean;
}

/** An event for a known person (`track`). */
export interface TrackEvent {
  /** 1–100 bytes; Customer.io trims surrounding spaces. */
  name: string;
  data?: EventData;
  /**
   * A ULID for deduplication; one is generated when absent. Use `eventIdFor(key, timeMs)` to make
   * redeliveries of the same source event map onto one Customer.io event.
   */
  id?: string;
  /** Unix seconds; Customer.io uses the receipt time when absent. */
  timestamp?: number;
  /** `'event'` (default), `'page'` or `'screen'`. */
  type?: 'event' | 'page' | 'screen';
}

/** An event for an anonymous visitor (`trackAnonymous`). */
export interface AnonymousEvent {
  name: string;
  data?: EventData;
  id?: string;
  timestamp?: number;
}

/** Options for `trackPageView` and `trackScreenView`. */
export interface ViewOptions {
  data?: EventData;
  id?: string;
  timestamp?: number;
}

/** A push device for `addDevice`. */
export interface Device {
  /** The device token (sent as `device.id` on v1). */
  token: string;
  platform: 'ios' | 'android';
  /** Unix seconds of last use. */
  lastUsed?: number;
  attributes?: Attributes;
}

/** A relationship between a person and an object, for v2 identify and relationship actions. */
export interface Relationship {
  identifiers: { object_type_id: string; object_id: string } | { cio_object_id: string };
  relationship_attributes?: Attributes;
}

interface PersonOperationBase {
  type: 'person';
  identifiers: V2PersonIdentifiers;
}

/** v2 `person`/`identify`: create or update a person. */
export interface PersonIdentifyOperation extends PersonOperationBase {
  action: 'identify';
  /** Attributes; `_update: true` inside means "update only". */
  attributes?: Attributes;
  /** Unix seconds, for ordering updates. */
  timestamp?: number;
  cio_relationships?: Relationship[];
}

/** v2 `person`/`delete`. */
export interface PersonDeleteOperation extends PersonOperationBase {
  action: 'delete';
}

/** v2 `person`/`event`, `page` or `screen`. `attributes` is the event data. */
export interface PersonEventOperation extends PersonOperationBase {
  action: 'event' | 'page' | 'screen';
  name: string;
  /** A ULID; generated when absent. */
  id?: string;
  timestamp?: number;
  attributes?: EventData;
}

/** v2 `person`/`add_device` (the token field is `token` on v2). */
export interface PersonAddDeviceOperation extends PersonOperationBase {
  action: 'add_device';
  device: {
    token: string;
    platform: 'ios' | 'android';
    last_used?: number;
    attributes?: Attributes;
  };
}

/** v2 `person`/`delete_device`. */
export interface PersonDeleteDeviceOperation extends PersonOperationBase {
  action: 'delete_device';
  device: { token: string };
}

/** v2 `person`/`suppress` or `unsuppress`. */
export interface PersonSuppressOperation extends PersonOperationBase {
  action: 'suppress' | 'unsuppress';
}

/** v2 `person`/`add_relationships` or `delete_relationships`. */
export interface PersonRelationshipsOperation extends PersonOperationBase {
  action: 'add_relationships' | 'delete_relationships';
  cio_relationships: Relationship[];
}

/** v2 `person`/`merge`: `secondary` is merged into `primary` (irreversible); no `identifiers`. */
export interface PersonMergeOperation {
  type: 'person';
  action: 'merge';
  primary: PersonIdentifier;
  secondary: PersonIdentifier;
}

/**
 * One Track v2 operation, for `entity()`, `batch()` and the batcher. Discriminated by `action`.
 *
 * @example
 * ```ts
 * const op: TrackV2Operation = {
 *   type: 'person',
 *   action: 'event',
 *   identifiers: { id: 'user-1' },
 *   name: 'subscription_started',
 *   attributes: { plan: 'yearly' },
 * };
 * ```
 */
export type TrackV2Operation =
  | PersonIdentifyOperation
  | PersonDeleteOperation
  | PersonEventOperation
  | PersonAddDeviceOperation
  | PersonDeleteDeviceOperation
  | PersonSuppressOperation
  | PersonRelationshipsOperation
  | PersonMergeOperation;

/** One operation Customer.io rejected inside an otherwise accepted batch (a 207). */
export interface BatchFailure {
  /** The operation's index in the caller's array (`batch()`) or add order (batcher). */
  index: number;
  reason?: string;
  field?: string;
  message: string;
  /** The operation as sent (with its generated event `id`, and `cio_id` without prefix). */
  operation: TrackV2Operation;
}

/** A 207 error Customer.io gave without a usable `batch_index`. */
export interface UnattributedBatchError {
  reason?: string;
  field?: string;
  message: string;
}

/** What `batch()` did. */
export interface BatchResult {
  /** HTTP requests sent (the call is split to fit Customer.io's size limits). */
  requests: number;
  /** Operations Customer.io rejected (207), mapped back to the caller's indexes. */
  failures: BatchFailure[];
  /** 207 errors that could not be tied to an operation (no or out-of-range `batch_index`). */
  unattributed: UnattributedBatchError[];
}

/**
 * A pino-compatible logger (`(obj, msg)`); the client logs retries and redirects, never
 * credentials.
 */
export interface CustomerIoLogger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

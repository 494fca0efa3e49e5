/**
 * Errors thrown by the Customer.io client.
 *
 * Design rules (see ky's `KyError` and type guards):
 * - one branded base class, `CustomerIoError` (itself a `PurchaselyCustomerIoError`, so each error
 *   has a `code` such as `customerio_http`), and subclasses that carry their data;
 * - every class sets `name`, and every type guard also matches by `name`, so errors thrown by a
 *   second copy of this module (two versions in one bundle, another realm) are still recognised;
 * - no error ever holds the request, the ky options or the request headers: they carry the
 *   `Authorization` header, and `util.inspect`, `JSON.stringify` and error trackers print whatever
 *   an error references. `toJSON()` (inherited from `PurchaselyCustomerIoError`) serialises the
 *   public fields, so every field must be safe to serialise.
 *
 * @module
 */

import { PurchaselyCustomerIoError, type PurchaselyCustomerIoErrorJSON } from '../errors.js';

/** Marks instances across module copies in one realm (`Symbol.for` is a global registry). */
const BRAND = Symbol.for('purchasely-customerio.CustomerIoError');

/** The JSON shape of every Customer.io error, as produced by `toJSON()`. */
export type CustomerIoErrorJSON = PurchaselyCustomerIoErrorJSON;

/**
 * Base class of every error this client throws.
 *
 * @example
 * ```ts
 * try {
 *   await client.track('user-1', { name: 'purchase' });
 * } catch (error) {
 *   if (isCustomerIoError(error)) console.error(error.name, error.message);
 * }
 * ```
 */
export class CustomerIoError extends PurchaselyCustomerIoError {
  override name = 'CustomerIoError';
  /** `customerio` here (a closed batcher); each subclass narrows it to its own code. */
  override readonly code: string = 'customerio';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Response headers as a plain, lower-cased record (never the request's). */
export type ResponseHeaders = Record<string, string>;

/**
 * Customer.io answered with a non-2xx status (after retries, when the status was retryable).
 *
 * `body` is the parsed JSON when the body was JSON, otherwise the raw text (an HTML 502 from a
 * proxy, or Customer.io's plain-text `Unauthorized request`). `body`, `headers` and `message` are
 * scrubbed of the credentials, which a reflecting proxy may echo back.
 *
 * A 207 from `/api/v2/batch` whose body cannot be read is thrown as this error too (status 207,
 * not retryable): the batch may be partly applied, so it is neither a success nor a rejection.
 *
 * @example
 * ```ts
 * if (isCustomerIoHttpError(error) && error.status === 401) rotateCredentials();
 * ```
 */
export class CustomerIoHttpError extends CustomerIoError {
  override name = 'CustomerIoHttpError';
  override readonly code = 'customerio_http';
  readonly status: number;
  readonly body: unknown;
  readonly headers: ResponseHeaders;
  readonly method: string;
  /** The request path (no scheme, host or credentials), e.g. `/api/v1/customers/42/events`. */
  readonly path: string;
  /** Whether the client considers the status transient (it was retried, if retries were on). */
  readonly retryable: boolean;
  /**
   * Whether the body had Customer.io's JSON error shape (`meta.error`, `meta.errors` or an
   * `errors` list). When false, something other than Customer.io answered (a proxy, a firewall, a
   * wrong `baseUrl`), so a 4xx says our configuration is wrong rather than the request.
   */
  readonly hasCustomerIoErrorBody: boolean;

  constructor(init: {
    message: string;
    status: number;
    body: unknown;
    headers: ResponseHeaders;
    method: string;
    path: string;
    retryable: boolean;
    /** Default: read from `body`. */
    hasCustomerIoErrorBody?: boolean;
  }) {
    super(init.message);
    this.status = init.status;
    this.body = init.body;
    this.headers = init.headers;
    this.method = init.method;
    this.path = init.path;
    this.retryable = init.retryable;
    this.hasCustomerIoErrorBody = init.hasCustomerIoErrorBody ?? isCustomerIoErrorBody(init.body);
  }
}

/**
 * Whether a parsed body has the shape of Customer.io's Track errors: v1 `{ meta: { error } }` or
 * `{ meta: { errors: [] } }`, v2 `{ errors: [] }`.
 */
export function isCustomerIoErrorBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { meta, errors } = body as { meta?: unknown; errors?: unknown };
  if (Array.isArray(errors)) return true;
  if (typeof meta !== 'object' || meta === null) return false;
  const { error, errors: metaErrors } = meta as { error?: unknown; errors?: unknown };
  return typeof error === 'string' || Array.isArray(metaErrors);
}

/**
 * A value broke a Customer.io limit or rule; thrown before any request leaves.
 *
 * @example
 * ```ts
 * if (isCustomerIoValidationError(error)) console.warn(`${error.field}: ${error.message}`);
 * ```
 */
export class CustomerIoValidationError extends CustomerIoError {
  override name = 'CustomerIoValidationError';
  override readonly code = 'customerio_validation';
  /** A path to the offending value, e.g. `attributes.plan`, `event.name`, `batch[3].attributes`. */
  readonly field: string;
  /** The limit that was broken (bytes, count or a description), when there is one. */
  readonly limit: number | string | undefined;
  /** The measured value (bytes, count or the value itself), when there is one. */
  readonly actual: unknown;
  /** The index of the offending operation in a `batch()` call or batcher stream. */
  readonly index: number | undefined;

  constructor(
    message: string,
    init: { field: string; limit?: number | string; actual?: unknown; index?: number },
  ) {
    super(message);
    this.field = init.field;
    this.limit = init.limit;
    this.actual = init.actual;
    this.index = init.index;
  }
}

/** An attempt got no response within `timeoutMs` (after retries, when retries were on). */
export class CustomerIoTimeoutError extends CustomerIoError {
  override name = 'CustomerIoTimeoutError';
  override readonly code = 'customerio_timeout';
  readonly method: string;
  readonly path: string;
  readonly timeoutMs: number;

  constructor(init: { method: string; path: string; timeoutMs: number }) {
    super(`Customer.io did not answer ${init.method} ${init.path} within ${init.timeoutMs} ms`);
    this.method = init.method;
    this.path = init.path;
    this.timeoutMs = init.timeoutMs;
  }
}

/**
 * The client refused to wait for a rate-limiter slot because the wait would end after the call's
 * `deadline`; the request was not sent and no slot was taken. The caller may try again later.
 *
 * @example
 * ```ts
 * try {
 *   await cio.track('user-1', { name: 'purchase' }, { deadline: Date.now() + 5000 });
 * } catch (error) {
 *   if (isCustomerIoDeadlineError(error)) answerRetryLater(); // nothing was sent
 * }
 * ```
 */
export class CustomerIoDeadlineError extends CustomerIoError {
  override name = 'CustomerIoDeadlineError';
  override readonly code = 'customerio_deadline';
  /** The wait (ms) the limiter would have needed. */
  readonly waitMs: number;
  /** The call's deadline, in epoch milliseconds. */
  readonly deadline: number;
  /** When the wait was refused, in epoch milliseconds on the limiter's clock. */
  readonly refusedAt: number;
  /** The refused request, when known (the limiter alone does not know it). */
  readonly method: string | undefined;
  readonly path: string | undefined;

  constructor(init: {
    waitMs: number;
    deadline: number;
    now: number;
    method?: string;
    path?: string;
  }) {
    const request = init.method && init.path ? ` for ${init.method} ${init.path}` : '';
    const left = Math.max(0, Math.round(init.deadline - init.now));
    super(
      `the rate limiter's next slot${request} is ${Math.ceil(init.waitMs)} ms away, past the call's deadline (${left} ms left); the request was not sent`,
    );
    this.waitMs = init.waitMs;
    this.deadline = init.deadline;
    this.refusedAt = init.now;
    this.method = init.method;
    this.path = init.path;
  }
}

/**
 * The call's `signal` aborted: waits for a slot or a retry ended, the in-flight request (if any)
 * was cut off, and nothing is sent afterwards. `cause` is the signal's reason.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 5000);
 * await cio.batch(operations, { signal: controller.signal }).catch((error) => {
 *   if (isCustomerIoAbortError(error)) return; // given up on purpose
 *   throw error;
 * });
 * ```
 */
export class CustomerIoAbortError extends CustomerIoError {
  override name = 'CustomerIoAbortError';
  override readonly code = 'customerio_abort';
  readonly method: string;
  readonly path: string;

  constructor(init: { method: string; path: string; cause?: unknown }) {
    super(`${init.method} ${init.path} was cancelled by the caller's signal`, {
      cause: init.cause,
    });
    this.method = init.method;
    this.path = init.path;
  }
}

/** `fetch` itself failed: DNS, refused or reset connection, TLS (after retries, when on). */
export class CustomerIoNetworkError extends CustomerIoError {
  override name = 'CustomerIoNetworkError';
  override readonly code = 'customerio_network';
  readonly method: string;
  readonly path: string;

  constructor(init: { message: string; method: string; path: string; cause?: unknown }) {
    super(init.message, { cause: init.cause });
    this.method = init.method;
    this.path = init.path;
  }
}

/**
 * The workspace lives in another region than the one configured, or Customer.io redirected
 * somewhere the client refuses to follow (outside `*.customer.io`, too many hops). The message
 * names the setting to change.
 */
export class CustomerIoRegionError extends CustomerIoError {
  override name = 'CustomerIoRegionError';
  override readonly code = 'customerio_region';
  /** The status that triggered the error (a 3xx), when there was one. */
  readonly status: number | undefined;
  /** Where Customer.io pointed, when it did (a `Location` header or a region lookup's `url`). */
  readonly location: string | undefined;

  constructor(message: string, init: { status?: number; location?: string; cause?: unknown } = {}) {
    super(message, { cause: init.cause });
    this.status = init.status;
    this.location = init.location;
  }
}

/**
 * A `batch()` call failed part-way: some requests were accepted before one failed. Nothing after
 * the failed request was sent, so operation order is kept. `cause` is the request's error. (When
 * the *first* request fails, nothing was sent and `batch()` throws that error itself.)
 */
export class CustomerIoBatchError extends CustomerIoError {
  override name = 'CustomerIoBatchError';
  override readonly code = 'customerio_batch';
  /** Requests Customer.io accepted (200 or 207) before the failure. */
  readonly requestsSent: number;
  /** The caller's operations `[0, operationsSent)` were sent; the rest were not. */
  readonly operationsSent: number;
  /** Per-operation 207 failures from the requests that were sent. */
  readonly failures: ReadonlyArray<{ index: number; message: string }>;

  constructor(init: {
    message: string;
    requestsSent: number;
    operationsSent: number;
    failures: ReadonlyArray<{ index: number; message: string }>;
    cause: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.requestsSent = init.requestsSent;
    this.operationsSent = init.operationsSent;
    this.failures = init.failures;
  }
}

function hasName(error: unknown, names: ReadonlySet<string>): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { name?: unknown }).name === 'string' &&
    names.has((error as { name: string }).name)
  );
}

const SUBCLASS_NAMES = [
  'CustomerIoHttpError',
  'CustomerIoValidationError',
  'CustomerIoTimeoutError',
  'CustomerIoNetworkError',
  'CustomerIoRegionError',
  'CustomerIoBatchError',
  'CustomerIoDeadlineError',
  'CustomerIoAbortError',
] as const;
const ALL_NAMES = new Set<string>(['CustomerIoError', ...SUBCLASS_NAMES]);

/**
 * Whether `error` is any Customer.io client error, including one from another copy of this module.
 *
 * @example
 * ```ts
 * if (isCustomerIoError(error)) logger.warn(error.toJSON(), 'customer.io failed');
 * ```
 */
export function isCustomerIoError(error: unknown): error is CustomerIoError {
  return (
    error instanceof CustomerIoError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BRAND] === true) ||
    hasName(error, ALL_NAMES)
  );
}

function guard<T extends CustomerIoError>(
  ctor: abstract new (...args: never[]) => T,
  name: string,
): (error: unknown) => error is T {
  const names = new Set([name]);
  return (error: unknown): error is T => error instanceof ctor || hasName(error, names);
}

/** Whether `error` is a {@link CustomerIoHttpError} (matches by `name` across module copies). */
export const isCustomerIoHttpError = guard(CustomerIoHttpError, 'CustomerIoHttpError');
/** Whether `error` is a {@link CustomerIoValidationError} (matches by `name` too). */
export const isCustomerIoValidationError = guard(
  CustomerIoValidationError,
  'CustomerIoValidationError',
);
/** Whether `error` is a {@link CustomerIoTimeoutError} (matches by `name` too). */
export const isCustomerIoTimeoutError = guard(CustomerIoTimeoutError, 'CustomerIoTimeoutError');
/** Whether `error` is a {@link CustomerIoNetworkError} (matches by `name` too). */
export const isCustomerIoNetworkError = guard(CustomerIoNetworkError, 'CustomerIoNetworkError');
/** Whether `error` is a {@link CustomerIoRegionError} (matches by `name` too). */
export const isCustomerIoRegionError = guard(CustomerIoRegionError, 'CustomerIoRegionError');
/** Whether `error` is a {@link CustomerIoBatchError} (matches by `name` too). */
export const isCustomerIoBatchError = guard(CustomerIoBatchError, 'CustomerIoBatchError');
/** Whether `error` is a {@link CustomerIoDeadlineError} (matches by `name` too). */
export const isCustomerIoDeadlineError = guard(CustomerIoDeadlineError, 'CustomerIoDeadlineError');
/** Whether `error` is a {@link CustomerIoAbortError} (matches by `name` too). */
export const isCustomerIoAbortError = guard(CustomerIoAbortError, 'CustomerIoAbortError');

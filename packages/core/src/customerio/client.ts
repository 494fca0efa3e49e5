/**
 * `createCustomerIoClient`: a region-aware Customer.io Track API (v1 and v2) client on ky.
 *
 * What it adds over calling the API (or `customerio-node`) directly:
 * - limits checked before any request leaves, each failure naming the field;
 * - a ULID `id` on every event, so retries never duplicate an event;
 * - retries with full-jitter backoff, `Retry-After` and a time budget, classified by status even
 *   when the error body is HTML or plain text;
 * - manual, same-method redirects restricted to `*.customer.io`, with a hop limit;
 * - `region: 'auto'` resolved once through `GET /api/v1/accounts/region`;
 * - `/api/v2/batch` split to the size limits, 207s mapped back to the caller's operations;
 * - a client-wide rate limiter (100 requests per second by default);
 * - only Web APIs (fetch, TextEncoder, btoa, Web Crypto): Node, Bun, Deno and Workers alike.
 *
 * @module
 */
import { basicAuthorization, createRedactor } from './auth.js';
import { type BatchChunk, splitBatch } from './batch-split.js';
import { type Batcher, type BatcherOptions, createBatcher } from './batcher.js';
import {
  CustomerIoBatchError,
  CustomerIoHttpError,
  CustomerIoRegionError,
  CustomerIoValidationError,
} from './errors.js';
import { TRACK_LIMITS } from './limits.js';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
import {
  type CustomerIoRegionSetting,
  isCustomerIoHost,
  normalizeRegion,
  type RegionInfo,
  resolveTrackBaseUrl,
  TRACK_REGIONS,
} from './regions.js';
import { type RetryOptions, resolveRetryOptions } from './retry.js';
import {
  buildAddDevice,
  buildDeleteCustomer,
  buildDeleteDevice,
  buildIdentify,
  buildMergeCustomers,
  buildSuppression,
  buildTrack,
  buildTrackAnonymous,
  type PreparedRequest,
} from './track-v1.js';
import { type PreparedOperation, prepareOperation } from './track-v2.js';
import { createTransport, type TransportResponse } from './transport.js';
import type {
  AnonymousEvent,
  Attributes,
  BatchFailure,
  BatchResult,
  CustomerIoCallOptions,
  CustomerIoLogger,
  Device,
  IdentifyOptions,
  PersonIdentifier,
  PersonRef,
  TrackEvent,
  TrackV2Operation,
  UnattributedBatchError,
  ViewOptions,
} from './types.js';

/** Client-side rate limit settings: the limiter's own options. */
export type RateLimitOptions = RateLimiterOptions;

/** Options for {@link createCustomerIoClient}. */
export interface CustomerIoClientOptions {
  /** Track API site id (the Basic auth user name). */
  siteId: string;
  /** Track API key (the Basic auth password). Never logged or put in an error. */
  apiKey: string;
  /**
   * The workspace's data centre. Required on purpose: an EU workspace sent to the US host is
   * redirected through US servers. `'auto'` asks Customer.io once (one extra request).
   */
  region: CustomerIoRegionSetting;
  /** Overrides the host (a proxy, a local emulator); wins over `region`. */
  baseUrl?: string;
  /** Per-attempt timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /** Retry settings, or `false` for none. */
  retry?: RetryOptions | false;
  /**
   * Client-side rate limit. Default `{ requestsPerSecond: 100 }`; `false` disables. A `RateLimiter` object
   * (one with `acquire`) replaces the built-in one: a limiter shared by every process of a workspace, say,
   * since Customer.io's limit is per workspace, not per process.
   */
  rateLimit?: RateLimitOptions | RateLimiter | false;
  /** A fetch implementation (tests, proxies, instrumented fetch). Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** `User-Agent` header. */
  userAgent?: string;
  /** Logs retries and redirects (pino-compatible). */
  logger?: CustomerIoLogger;
}

/**
 * The Customer.io Track API client. Every method is async: invalid input rejects with a
 * `CustomerIoValidationError` before any request is sent, and HTTP failures reject with the
 * error classes of `errors.ts` after retries.
 *
 * @example
 * ```ts
 * await cio.identify({ email: 'ada@example.com' }, { plan: 'yearly' }, { timestamp: nowSeconds });
 * await cio.track({ cio_id: '03000001' }, { name: 'subscription_started', data: { plan: 'yearly' } });
 * await cio.suppress('user-1');
 * ```
 */
export interface CustomerIoClient {
  /**
   * Asks Customer.io which region the credentials' workspace is in. Always sends a request, so it
   * doubles as a credentials check (401 → `CustomerIoHttpError`).
   *
   * @example
   * ```ts
   * const { region, environmentId } = await cio.getRegion(); // at startup: fail fast on bad keys
   * ```
   */
  getRegion(): Promise<RegionInfo>;
  /**
   * `PUT /api/v1/customers/{id}`: create or update a person. `options` may carry a `signal` and
   * a `deadline` ({@link CustomerIoCallOptions}).
   *
   * @example
   * ```ts
   * await cio.identify('user-1', { plan: 'yearly', created_at: 1700000000 }, { timestamp: 1700000123 });
   * ```
   */
  identify(person: PersonRef, attributes?: Attributes, options?: IdentifyOptions): Promise<void>;
  /**
   * `POST /api/v1/customers/{id}/events`. Resolves with the event's ULID (generated when the
   * event has no `id`), which Customer.io uses to drop a retried or redelivered duplicate.
   *
   * @example
   * ```ts
   * const { id } = await cio.track('user-1', { name: 'purchase', data: { amount: 9.99 } });
   * await cio.track('user-1', { name: 'renewed' }, { deadline: Date.now() + 5000 });
   * ```
   */
  track(
    person: PersonRef,
    event: TrackEvent,
    options?: CustomerIoCallOptions,
  ): Promise<{ id: string }>;
  /**
   * `POST /api/v1/events` with `anonymous_id`. Resolves with the event's ULID.
   *
   * @example
   * ```ts
   * await cio.trackAnonymous('anon-1', { name: 'paywall_viewed' }, { signal: AbortSignal.timeout(5000) });
   * ```
   */
  trackAnonymous(
    anonymousId: string,
    event: AnonymousEvent,
    options?: CustomerIoCallOptions,
  ): Promise<{ id: string }>;
  /** A `page` event named by the URL. */
  trackPageView(person: PersonRef, url: string, options?: ViewOptions): Promise<{ id: string }>;
  /** A `screen` event. */
  trackScreenView(person: PersonRef, name: string, options?: ViewOptions): Promise<{ id: string }>;
  /** `DELETE /api/v1/customers/{id}` (a later call can re-create the person). */
  deleteCustomer(person: PersonRef): Promise<void>;
  /** Deletes the person and blocks their identifiers. */
  suppress(person: PersonRef): Promise<void>;
  /** Unblocks the identifiers (does not restore the profile). */
  unsuppress(person: PersonRef): Promise<void>;
  /** `PUT /api/v1/customers/{id}/devices`. */
  addDevice(person: PersonRef, device: Device): Promise<void>;
  /** `DELETE /api/v1/customers/{id}/devices/{token}`. */
  deleteDevice(person: PersonRef, token: string): Promise<void>;
  /** Merges `secondary` into `primary` (irreversible; the primary must exist). */
  mergeCustomers(primary: PersonIdentifier, secondary: PersonIdentifier): Promise<void>;
  /** `POST /api/v2/entity`: one operation (< 32 KB). Resolves with the event id for events. */
  entity(operation: TrackV2Operation): Promise<{ id?: string }>;
  /**
   * `POST /api/v2/batch`, split into as many requests as the size limits need (greedy, exact
   * bytes), sent one after another in order.
   *
   * - Any invalid operation, or one over 32 KB, rejects the whole call before anything is sent
   *   (`CustomerIoValidationError` with `index`), so a batch is never half-validated.
   * - 207 answers are mapped back to the caller's indexes in `failures`; a 207 whose body cannot
   *   be read rejects with a `CustomerIoHttpError` of status 207 (the batch may be partly applied).
   * - If the first request fails, its error is thrown; if a later one fails, a
   *   `CustomerIoBatchError` says how many operations were sent (nothing after it is).
   * - `options` (`signal`, `deadline`) hold for every request of the call.
   *
   * @example
   * ```ts
   * const { failures } = await cio.batch([
   *   { type: 'person', action: 'identify', identifiers: { id: 'u1' }, attributes: { plan: 'pro' } },
   *   { type: 'person', action: 'event', identifiers: { id: 'u1' }, name: 'upgraded' },
   * ]);
   * for (const f of failures) console.warn(f.index, f.message);
   * ```
   */
  batch(
    operations: ReadonlyArray<TrackV2Operation>,
    options?: CustomerIoCallOptions,
  ): Promise<BatchResult>;
  /**
   * A buffering batcher for bulk work; see {@link Batcher}.
   *
   * @example
   * ```ts
   * const batcher = cio.createBatcher({ onError: (error, ops) => retryLater(ops) });
   * for await (const row of rows) await batcher.add(toOperation(row));
   * await batcher.close();
   * ```
   */
  createBatcher(options?: BatcherOptions): Batcher;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RATE_LIMIT = 100;
const DEFAULT_USER_AGENT = 'purchasely-customerio (+https://github.com/purchasely-customerio)';
/** `/api/v2/batch` bodies must be smaller than 500 KB. */
const MAX_BATCH_BODY = TRACK_LIMITS.batchBodyBytes - 1;
const MAX_ENTITY_BODY = TRACK_LIMITS.entityBodyBytes - 1;

function assertCredential(value: unknown, field: 'siteId' | 'apiKey'): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    // Never echo the value: it may be a key.
    throw new CustomerIoValidationError(`${field}: must be a non-empty string`, { field });
  }
}

function parseRegionAnswer(body: unknown, redact: (text: string) => string): RegionInfo {
  const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const region = answer.region;
  if (region !== 'us' && region !== 'eu') {
    // The value comes from the answer, which a reflecting proxy may have filled with our header.
    const got = redact(String(JSON.stringify(region))).slice(0, 200);
    throw new CustomerIoRegionError(
      `Customer.io's region lookup gave no usable region (got ${got})`,
    );
  }
  let url = TRACK_REGIONS[region];
  if (typeof answer.url === 'string' && answer.url !== '') {
    let parsed: URL;
    try {
      parsed = new URL(answer.url);
    } catch {
      throw new CustomerIoRegionError("Customer.io's region lookup answered an unusable url");
    }
    if (parsed.protocol !== 'https:' || !isCustomerIoHost(parsed.hostname)) {
      // Credentials only ever go to Customer.io.
      throw new CustomerIoRegionError(
        `Customer.io's region lookup pointed at ${parsed.origin}, which is not an https *.customer.io host`,
        { location: parsed.origin },
      );
    }
    url = parsed.origin;
  }
  const environmentId = Number(answer.environment_id);
  return { region, url, environmentId };
}

/**
 * Creates a Customer.io Track API client.
 *
 * @example
 * ```ts
 * import { createCustomerIoClient, eventIdFor } from '@purchasely-customerio/core';
 *
 * const cio = createCustomerIoClient({
 *   siteId: process.env.CIO_SITE_ID!,
 *   apiKey: process.env.CIO_API_KEY!,
 *   region: 'eu',
 * });
 * await cio.identify('user-1', { email: 'ada@example.com', plan: 'yearly' });
 * await cio.track('user-1', {
 *   name: 'subscription_renewed',
 *   id: eventIdFor('purchasely:evt_123', Date.now()),
 *   data: { product: 'premium' },
 * });
 * ```
 */
export function createCustomerIoClient(options: CustomerIoClientOptions): CustomerIoClient {
  assertCredential(options?.siteId, 'siteId');
  assertCredential(options.apiKey, 'apiKey');
  const region = normalizeRegion(options.region);
  const fixedBaseUrl = resolveTrackBaseUrl({ region, baseUrl: options.baseUrl });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // 2^31-1 is the largest delay setTimeout (and so ky's timeout) accepts.
  if (!(timeoutMs > 0 && timeoutMs <= 2_147_483_647)) {
    throw new CustomerIoValidationError(
      'timeoutMs: must be a positive number of milliseconds (at most 2147483647)',
      { field: 'timeoutMs', limit: 2_147_483_647 },
    );
  }

  const authorization = basicAuthorization(options.siteId, options.apiKey);
  // Scrub the key, and the header that encodes it, from any text bound for an error or a log.
  const token = authorization.slice('Basic '.length);
  const redact = createRedactor([
    options.apiKey,
    // Unpadded covers padded too: some reflectors drop the trailing '='.
    token.replace(/=+$/, ''),
    `${options.siteId}:${options.apiKey}`,
  ]);
  const limiter: RateLimiter | undefined =
    options.rateLimit === false
      ? undefined
      : isRateLimiter(options.rateLimit)
        ? options.rateLimit
        : createRateLimiter(options.rateLimit ?? { requestsPerSecond: DEFAULT_RATE_LIMIT });
  const transport = createTransport({
    authorization,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    timeoutMs,
    fetch: options.fetch,
    retry: resolveRetryOptions(options.retry),
    limiter,
    logger: options.logger,
    redact,
    trustedOrigin:
      options.baseUrl && fixedBaseUrl !== undefined ? new URL(fixedBaseUrl).origin : undefined,
  });

  // --- region -------------------------------------------------------------------------------
  const lookupBaseUrl = fixedBaseUrl ?? TRACK_REGIONS.us; // the lookup works on either host
  let autoRegion: Promise<RegionInfo> | undefined;

  async function lookupRegion(): Promise<RegionInfo> {
    const response = await transport.send({
      method: 'GET',
      baseUrl: lookupBaseUrl,
      path: '/api/v1/accounts/region',
    });
    return parseRegionAnswer(response.body, redact);
  }

  function baseUrl(): Promise<string> | string {
    if (fixedBaseUrl !== undefined) return fixedBaseUrl;
    // Concurrent first calls share one lookup; a failed lookup is forgotten so the next call retries.
    autoRegion ??= lookupRegion().catch((error: unknown) => {
      autoRegion = undefined;
      throw error;
    });
    return autoRegion.then((info) => info.url);
  }

  async function send(
    request: PreparedRequest,
    callOptions: CustomerIoCallOptions = {},
  ): Promise<TransportResponse> {
    // Only the limits: IdentifyOptions arrive here too, and their other fields are body fields.
    const { signal, deadline } = callOptions;
    return transport.send({
      method: request.method,
      path: request.path,
      body: request.body,
      baseUrl: await baseUrl(),
      limits: { signal, deadline },
    });
  }

  // --- v2 -----------------------------------------------------------------------------------
  function prepareForBatch(operation: TrackV2Operation, index: number): PreparedOperation {
    return prepareOperation(operation, {
      index,
      field: `batch[${index}]`,
      maxBytes: TRACK_LIMITS.batchOperationBytes,
      limitText: `Customer.io allows at most ${TRACK_LIMITS.batchOperationBytes} bytes per batch operation`,
    });
  }

  /** The 207 body's `errors`, or `undefined` when the body does not have that shape. */
  function readBatchErrors(body: unknown): Array<Record<string, unknown>> | undefined {
    const errors = (typeof body === 'object' && body !== null ? body : {}) as { errors?: unknown };
    if (!Array.isArray(errors.errors)) return undefined;
    const entries: unknown[] = errors.errors;
    return entries.every((entry) => typeof entry === 'object' && entry !== null)
      ? (entries as Array<Record<string, unknown>>)
      : undefined;
  }

  async function sendChunk(
    chunk: BatchChunk,
    callOptions?: CustomerIoCallOptions,
  ): Promise<{ failures: BatchFailure[]; unattributed: UnattributedBatchError[] }> {
    const path = '/api/v2/batch';
    const response = await send({ method: 'POST', path, body: chunk.body }, callOptions);
    const failures: BatchFailure[] = [];
    const unattributed: UnattributedBatchError[] = [];
    if (response.status !== 207) return { failures, unattributed };
    const errors = readBatchErrors(response.body);
    if (errors === undefined) {
      // Part of the batch may be applied and we cannot tell which: not a success, and not a
      // rejection either. Re-sending is safe (event ids dedupe, identify is idempotent).
      const body =
        typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      throw new CustomerIoHttpError({
        message: `Customer.io answered 207 to POST ${path} with a body that cannot be read (no errors list); the batch may be partly applied`,
        status: 207,
        body: body === undefined ? undefined : redact(body).slice(0, 8 * 1024),
        headers: response.headers,
        method: 'POST',
        path,
        retryable: false,
        hasCustomerIoErrorBody: false,
      });
    }
    // Text from the answer may echo the request, Authorization header included.
    const text = (value: unknown) => (typeof value === 'string' ? redact(value) : undefined);
    for (const entry of errors) {
      const reason = text(entry.reason);
      const field = text(entry.field);
      const detail = {
        ...(reason !== undefined ? { reason } : {}),
        ...(field !== undefined ? { field } : {}),
        message: text(entry.message) ?? 'rejected by Customer.io',
      };
      const position = entry.batch_index;
      const index =
        typeof position === 'number' && Number.isInteger(position)
          ? chunk.indexes[position]
          : undefined;
      const operation = typeof position === 'number' ? chunk.operations[position] : undefined;
      if (index === undefined || operation === undefined) unattributed.push(detail);
      else failures.push({ index, ...detail, operation });
    }
    return { failures, unattributed };
  }

  const client: CustomerIoClient = {
    async getRegion() {
      const info = await lookupRegion();
      if (fixedBaseUrl === undefined) autoRegion ??= Promise.resolve(info);
      return info;
    },

    async identify(person, attributes, identifyOptions) {
      await send(buildIdentify(person, attributes, identifyOptions), identifyOptions);
    },

    async track(person, event, callOptions) {
      const request = buildTrack(person, event);
      await send(request, callOptions);
      return { id: request.eventId! };
    },

    async trackAnonymous(anonymousId, event, callOptions) {
      const request = buildTrackAnonymous(anonymousId, event);
      await send(request, callOptions);
      return { id: request.eventId! };
    },

    trackPageView(person, url, viewOptions = {}) {
      return client.track(person, { ...viewOptions, name: url, type: 'page' });
    },

    trackScreenView(person, name, viewOptions = {}) {
      return client.track(person, { ...viewOptions, name, type: 'screen' });
    },

    async deleteCustomer(person) {
      await send(buildDeleteCustomer(person));
    },

    async suppress(person) {
      await send(buildSuppression(person, 'suppress'));
    },

    async unsuppress(person) {
      await send(buildSuppression(person, 'unsuppress'));
    },

    async addDevice(person, device) {
      await send(buildAddDevice(person, device));
    },

    async deleteDevice(person, token) {
      await send(buildDeleteDevice(person, token));
    },

    async mergeCustomers(primary, secondary) {
      await send(buildMergeCustomers(primary, secondary));
    },

    async entity(operation) {
      const prepared = prepareOperation(operation, {
        index: 0,
        field: 'operation',
        maxBytes: MAX_ENTITY_BODY,
        limitText: `Customer.io requires an /api/v2/entity body smaller than ${TRACK_LIMITS.entityBodyBytes} bytes`,
      });
      await send({ method: 'POST', path: '/api/v2/entity', body: prepared.json });
      const id = (prepared.operation as { id?: unknown }).id;
      return typeof id === 'string' ? { id } : {};
    },

    async batch(operations, callOptions) {
      if (!Array.isArray(operations)) {
        throw new CustomerIoValidationError('batch: must be an array of operations', {
          field: 'batch',
        });
      }
      // Everything is validated before the first request: a bad operation rejects the whole call.
      const prepared = operations.map((operation, index) => prepareForBatch(operation, index));
      const chunks = splitBatch(prepared, { maxBodyBytes: MAX_BATCH_BODY });
      const result: BatchResult = { requests: 0, failures: [], unattributed: [] };
      let operationsSent = 0;
      for (const chunk of chunks) {
        try {
          const { failures, unattributed } = await sendChunk(chunk, callOptions);
          result.failures.push(...failures);
          result.unattributed.push(...unattributed);
        } catch (error) {
          if (result.requests === 0) throw error;
          const reason = error instanceof Error ? error.message : String(error);
          throw new CustomerIoBatchError({
            message: `batch request ${result.requests + 1} of ${chunks.length} failed after ${operationsSent} of ${prepared.length} operations were sent: ${reason}`,
            requestsSent: result.requests,
            operationsSent,
            failures: result.failures.map(({ index, message }) => ({ index, message })),
            cause: error,
          });
        }
        result.requests++;
        operationsSent += chunk.operations.length;
      }
      return result;
    },

    createBatcher(batcherOptions) {
      return createBatcher(
        {
          prepare: prepareForBatch,
          send: sendChunk,
          maxBodyBytes: MAX_BATCH_BODY,
          logger: options.logger,
        },
        batcherOptions,
      );
    },
  };
  return client;
}

function isRateLimiter(value: unknown): value is RateLimiter {
  return typeof (value as { acquire?: unknown } | undefined)?.acquire === 'function';
}

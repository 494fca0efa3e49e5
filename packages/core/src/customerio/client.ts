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
import { MAX_BATCH_BODY, prepareForBatch, sendChunk } from './batch.js';
import { type Batcher, type BatcherOptions, createBatcher } from './batcher.js';
import { type CustomerIoClientOptions, createConnection } from './connection.js';
import { TRACK_LIMITS } from './limits.js';
import type { RegionInfo } from './regions.js';
import { senderOver } from './sender.js';
import {
  buildAddDevice,
  buildDeleteCustomer,
  buildDeleteDevice,
  buildMergeCustomers,
  buildSuppression,
  buildTrack,
} from './track-v1.js';
import { prepareOperation } from './track-v2.js';
import type {
  AnonymousEvent,
  Attributes,
  BatchResult,
  CustomerIoCallOptions,
  Device,
  IdentifyOptions,
  PersonIdentifier,
  PersonRef,
  TrackEvent,
  TrackV2Operation,
  ViewOptions,
} from './types.js';

export type { CustomerIoClientOptions, RateLimitOptions } from './connection.js';

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

const MAX_ENTITY_BODY = TRACK_LIMITS.entityBodyBytes - 1;

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
  const connection = createConnection(options);
  const { send } = connection;

  const client: CustomerIoClient = {
    // identify, trackAnonymous and batch: the same methods the bridge's lean sender has.
    ...senderOver(connection),

    async getRegion() {
      const info = await connection.lookupRegion();
      connection.rememberRegion(info);
      return info;
    },

    async track(person, event, callOptions) {
      const request = buildTrack(person, event);
      await send(request, callOptions);
      return { id: request.eventId as string };
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

    createBatcher(batcherOptions) {
      return createBatcher(
        {
          prepare: prepareForBatch,
          send: (chunk) => sendChunk(connection, chunk),
          maxBodyBytes: MAX_BATCH_BODY,
          logger: options.logger,
        },
        batcherOptions,
      );
    },
  };
  return client;
}

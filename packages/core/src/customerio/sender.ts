/**
 * The bridge's lean sender: only what delivery uses (`batch`, the v1 `identify` that merges an
 * anonymous history, `trackAnonymous`), built from the same pieces as the full client. The bridge
 * holds this rather than a whole `CustomerIoClient`: an object's methods cannot be tree-shaken, so
 * holding the client would put its v1 builders, batcher, devices and merges in every bundle.
 *
 * @module
 */
import { sendBatch } from './batch.js';
import type { Connection, CustomerIoClientOptions } from './connection.js';
import { createConnection } from './connection.js';
import { buildIdentify, buildTrackAnonymous } from './track-v1.js';
import type {
  AnonymousEvent,
  Attributes,
  BatchResult,
  CustomerIoCallOptions,
  IdentifyOptions,
  PersonRef,
  TrackV2Operation,
} from './types.js';

/**
 * The part of a Customer.io client the bridge delivers with. A full `CustomerIoClient` is one.
 */
export interface CustomerIoSender {
  identify(person: PersonRef, attributes?: Attributes, options?: IdentifyOptions): Promise<void>;
  trackAnonymous(
    anonymousId: string,
    event: AnonymousEvent,
    options?: CustomerIoCallOptions,
  ): Promise<{ id: string }>;
  batch(
    operations: ReadonlyArray<TrackV2Operation>,
    options?: CustomerIoCallOptions,
  ): Promise<BatchResult>;
}

/** The sender's methods over an existing connection (the full client spreads them into itself). */
export function senderOver(connection: Connection): CustomerIoSender {
  return {
    async identify(person, attributes, identifyOptions) {
      await connection.send(buildIdentify(person, attributes, identifyOptions), identifyOptions);
    },
    async trackAnonymous(anonymousId, event, callOptions) {
      const request = buildTrackAnonymous(anonymousId, event);
      await connection.send(request, callOptions);
      return { id: request.eventId as string };
    },
    batch(operations, callOptions) {
      return sendBatch(connection, operations, callOptions);
    },
  };
}

/**
 * Creates a lean sender: the same options, checks, retries, limits and errors as
 * `createCustomerIoClient`, with only the three methods delivery needs.
 *
 * @example
 * ```ts
 * const sender = createCustomerIoSender({ siteId, apiKey, region: 'eu' });
 * await sender.batch([{ type: 'person', action: 'identify', identifiers: { id: 'u1' } }]);
 * ```
 */
export function createCustomerIoSender(options: CustomerIoClientOptions): CustomerIoSender {
  return senderOver(createConnection(options));
}

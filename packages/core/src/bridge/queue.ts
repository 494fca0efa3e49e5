import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';
import type { ResolvedIdentity } from '../mapping/index.js';
import type { TransientFailureReason } from './classify-failure.js';

/**
 * An event the bridge has verified, parsed, selected and claimed, ready to be delivered: what receive hands
 * to delivery, directly or through a queue. Plain JSON, so a queue can store it as is.
 */
export interface AcceptedEvent {
  /** The idempotency key (`event_id`, or the fallback key of old payloads). */
  key: string;
  /** The id shown in answers and logs (never the fallback key, which holds payload). */
  eventId: string;
  /** The Customer.io event name, after overrides. */
  customerioEvent: string;
  /** Which Customer.io workspace it goes to. */
  workspace: 'production' | 'sandbox';
  /** Who it is about. */
  identity: Exclude<ResolvedIdentity, { kind: 'none' }>;
  /** The event as parsed (unknown fields kept). */
  event: PurchaselyEvent | UnknownPurchaselyEvent;
}

/** How the delivery of one accepted event ended. */
export type DeliveryOutcome =
  | {
      key: string;
      status: 'delivered';
      /** Set when the person's anonymous history could not be merged (see `AnonymousMerge`). */
      anonymousMerge?: 'unsupported';
      /**
       * Set when nothing had to be sent: an anonymous event delivered with `{ events: false }`, since
       * Customer.io keeps no attributes for anonymous people.
       */
      nothingSent?: true;
    }
  | { key: string; status: 'retry'; reason: TransientFailureReason; error: unknown }
  | { key: string; status: 'failed'; reason: 'customerio_rejected'; error: unknown };

/**
 * The hand-off between receive and deliver when delivery does not happen inline: a durable queue takes
 * accepted events (resolving only once they are stored), and its engine calls `bridge.deliver()` with
 * batches, retrying the events whose outcome is `retry`. Without a queue, the bridge delivers inline
 * (direct mode). No in-memory queue ships: it would acknowledge events a crash loses.
 *
 * @example
 * ```ts
 * const queue: DeliveryQueue = {
 *   enqueue: async (events) => { await durableQueue.addBulk(events.map((event) => ({ data: event }))); },
 * };
 * const bridge = createPurchaselyBridge({ ...config, queue });
 * // in a worker: const outcomes = await bridge.deliver(batchOfAcceptedEvents);
 * ```
 */
export interface DeliveryQueue {
  enqueue(events: readonly AcceptedEvent[]): Promise<void>;
}

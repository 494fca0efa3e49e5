import type {
  EventData,
  PersonEventOperation,
  PersonIdentifyOperation,
} from '../customerio/types.js';
import { eventIdFor } from '../customerio/ulid.js';
import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';
import type { AttributeValue } from './user-properties.js';

/** The Customer.io event of one webhook: named after overrides, with a stable dedup id. */
export interface PlannedEvent {
  name: string;
  /** A ULID derived from the event's idempotency key: a re-delivery maps onto the same Customer.io event. */
  id: string;
  /** `event_created_at` in unix seconds. */
  timestamp: number;
  /** The whole payload as received. */
  data: EventData;
}

/**
 * Anonymous history to join to a person. Customer.io documents the merge on Track v1 only (an identify
 * carrying `anonymous_id`), and v1 reads a path identifier by its shape: an `@` means an email, a `cio_`
 * prefix a cio_id. So an `id` of either shape cannot be addressed on v1 as the same person v2 knows:
 * `supported` is false, and the person's attributes and event are delivered without the merge.
 */
export interface AnonymousMerge {
  anonymousIds: readonly string[];
  supported: boolean;
}

/** What reaches Customer.io for one person in one delivery, or for one anonymous event. */
export type DeliveryPlan =
  | {
      kind: 'person';
      identifier: { id: string } | { email: string };
      /** Computed from the person's whole state: every attribute, each with its value or empty. */
      attributes: Record<string, AttributeValue>;
      /**
       * Orders attribute updates: the newest event in the person's state, in unix seconds, so an update
       * computed from a fuller state never carries an older timestamp than one computed before it.
       */
      timestamp: number;
      /** The person's events in this delivery, oldest first, each with its own time and payload. */
      events: PlannedEvent[];
      /** Present when anonymous history should join the person (see {@link AnonymousMerge}). */
      anonymousMerge?: AnonymousMerge;
    }
  | { kind: 'anonymous'; anonymousId: string; event: PlannedEvent };

/**
 * Plans the Customer.io event of one webhook. Pure: the same input always gives the same event, which is
 * what makes re-deliveries safe.
 *
 * - The id is a ULID derived from the event's idempotency key, so a re-delivered webhook maps onto the same
 *   Customer.io event, which Customer.io then ignores.
 * - The time is the event's creation time (`event_created_at`, which Purchasely keeps across retries) in
 *   unix seconds, so campaigns see when the event happened, not when it arrived.
 * - The data is the whole payload, as received, so campaigns can use any field.
 *
 * @example
 * ```ts
 * const planned = planEvent(event, 'subscription_renewed', purchaselyEventKey(event));
 * ```
 */
export function planEvent(
  event: PurchaselyEvent | UnknownPurchaselyEvent,
  eventName: string,
  key: string,
): PlannedEvent {
  return {
    name: eventName,
    id: eventIdFor(key, event.event_created_at_ms),
    timestamp: Math.floor(event.event_created_at_ms / 1000),
    data: event as unknown as EventData,
  };
}

/** The anonymous merge to plan for a person, if they have anonymous history. */
export function planAnonymousMerge(
  identifier: { id: string } | { email: string },
  anonymousIds: readonly string[],
): AnonymousMerge | undefined {
  if (anonymousIds.length === 0) return undefined;
  return { anonymousIds, supported: v1AddressesAsTheSamePerson(identifier) };
}

/** Whether `PUT /api/v1/customers/{identifier}` reaches the person `identifiers: identifier` reaches on v2. */
function v1AddressesAsTheSamePerson(identifier: { id: string } | { email: string }): boolean {
  if ('email' in identifier) return true;
  return !identifier.id.includes('@') && !identifier.id.startsWith('cio_');
}

/**
 * A person plan as Track v2 operations: the attribute update first, so a campaign an event triggers already
 * sees the new attributes, then each event.
 */
export function toBatchOperations(
  plan: Extract<DeliveryPlan, { kind: 'person' }>,
): [PersonIdentifyOperation, ...PersonEventOperation[]] {
  return [
    {
      type: 'person',
      action: 'identify',
      identifiers: plan.identifier,
      attributes: plan.attributes,
      timestamp: plan.timestamp,
    },
    ...plan.events.map(
      (event): PersonEventOperation => ({
        type: 'person',
        action: 'event',
        identifiers: plan.identifier,
        name: event.name,
        id: event.id,
        timestamp: event.timestamp,
        attributes: event.data,
      }),
    ),
  ];
}

import type {
  EventData,
  PersonEventOperation,
  PersonIdentifyOperation,
} from '../customerio/types.js';
import { eventIdFor } from '../customerio/ulid.js';
import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';
import { purchaselyEventKey } from './event-key.js';
import type { ResolvedIdentity } from './identity.js';
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

/** What reaches Customer.io for one webhook. */
export type DeliveryPlan =
  | {
      kind: 'person';
      identifier: { id: string } | { email: string };
      attributes: Record<string, AttributeValue>;
      /** Present when anonymous history should join the person (see {@link AnonymousMerge}). */
      anonymousMerge?: AnonymousMerge;
      /** Orders attribute updates: `event_created_at` in unix seconds. */
      timestamp: number;
      event: PlannedEvent;
    }
  | { kind: 'anonymous'; anonymousId: string; event: PlannedEvent };

export interface DeliveryPlanInput {
  event: PurchaselyEvent | UnknownPurchaselyEvent;
  /** The Customer.io event name, after overrides. */
  eventName: string;
  identity: Exclude<ResolvedIdentity, { kind: 'none' }>;
  attributes: Record<string, AttributeValue>;
}

/**
 * Plans what Customer.io receives for one event. Pure: the same input always gives the same plan, which is
 * what makes re-deliveries safe.
 *
 * - The event id is a ULID derived from the event's idempotency key, so a re-delivered webhook maps onto the
 *   same Customer.io event, which Customer.io then ignores.
 * - The attribute update and the event both carry the event's creation time (`event_created_at`, which
 *   Purchasely keeps across retries) in unix seconds: Customer.io documents only that it orders attribute
 *   updates "sent in rapid succession", and campaigns see when the event happened, not when it arrived.
 * - The event data is the whole payload, as received, so campaigns can use any field.
 *
 * @example
 * ```ts
 * const plan = planDelivery({ event, eventName: 'subscription_renewed', identity, attributes });
 * if (plan.kind === 'person') await client.batch(toBatchOperations(plan));
 * ```
 */
export function planDelivery({
  event,
  eventName,
  identity,
  attributes,
}: DeliveryPlanInput): DeliveryPlan {
  const timestamp = Math.floor(event.event_created_at_ms / 1000);
  const planned: PlannedEvent = {
    name: eventName,
    id: eventIdFor(purchaselyEventKey(event), event.event_created_at_ms),
    timestamp,
    data: event as unknown as EventData,
  };
  if (identity.kind === 'anonymous') {
    return { kind: 'anonymous', anonymousId: identity.anonymousId, event: planned };
  }
  const { identifier, anonymousIds } = identity;
  return {
    kind: 'person',
    identifier,
    attributes,
    ...(anonymousIds.length === 0
      ? {}
      : { anonymousMerge: { anonymousIds, supported: v1AddressesAsTheSamePerson(identifier) } }),
    timestamp,
    event: planned,
  };
}

/** Whether `PUT /api/v1/customers/{identifier}` reaches the person `identifiers: identifier` reaches on v2. */
function v1AddressesAsTheSamePerson(identifier: { id: string } | { email: string }): boolean {
  if ('email' in identifier) return true;
  return !identifier.id.includes('@') && !identifier.id.startsWith('cio_');
}

/**
 * A person plan as one Track v2 batch: the attribute update first, so a campaign the event triggers already
 * sees the new attributes, then the event.
 */
export function toBatchOperations(
  plan: Extract<DeliveryPlan, { kind: 'person' }>,
): [PersonIdentifyOperation, PersonEventOperation] {
  return [
    {
      type: 'person',
      action: 'identify',
      identifiers: plan.identifier,
      attributes: plan.attributes,
      timestamp: plan.timestamp,
    },
    {
      type: 'person',
      action: 'event',
      identifiers: plan.identifier,
      name: plan.event.name,
      id: plan.event.id,
      timestamp: plan.event.timestamp,
      attributes: plan.event.data,
    },
  ];
}

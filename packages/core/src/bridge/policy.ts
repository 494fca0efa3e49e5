import { eventIdFor } from '../customerio/index.js';
import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';
import { wouldReachTransferReceiver } from '../mapping/identity.js';
import { type IdentifyAnswer, purchaselyEventKey, toIdentity } from '../mapping/index.js';
import type { SkipReason } from './answers.js';
import type { AcceptedEvent } from './queue.js';
import type { ResolvedConfig } from './resolve-config.js';

type AnyEvent = PurchaselyEvent | UnknownPurchaselyEvent;

/** What the policy makes of an authentic, parsed event. */
export type PolicyDecision =
  | { kind: 'accept'; accepted: AcceptedEvent }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'identify_failed'; error: unknown };

/** How an event is known: its idempotency key, and the id shown in answers and logs (see {@link publicEventId}). */
export interface EventIds {
  key: string;
  eventId: string;
}

/** The event's ids, worked out once per event and passed along. */
export function eventIdsOf(event: AnyEvent): EventIds {
  const key = purchaselyEventKey(event);
  return { key, eventId: publicEventId(event, key) };
}

/**
 * Selection, sandbox and identity: what to do with an authentic event. The one policy of live webhooks
 * (receive) and of historical bodies (`bridge.accept`, used by a backfill).
 */
export async function decide(
  config: ResolvedConfig,
  event: AnyEvent,
  known: boolean,
  { key, eventId }: EventIds,
): Promise<PolicyDecision> {
  if (!known) return { kind: 'skip', reason: 'unknown_event' };
  const customerioEvent = config.namer.nameFor(event.event_name);
  if (customerioEvent === undefined) return { kind: 'skip', reason: 'event_disabled' };
  const workspace = event.environment === 'SANDBOX' ? 'sandbox' : 'production';
  if (config.workspaces[workspace] === undefined) return { kind: 'skip', reason: 'sandbox' };
  let answer: IdentifyAnswer;
  try {
    answer = await config.identify(event);
  } catch (error) {
    return { kind: 'identify_failed', error };
  }
  const identity = toIdentity(answer, event);
  if (identity.kind === 'none') return { kind: 'skip', reason: 'no_identity' };
  if (wouldReachTransferReceiver(event, identity)) {
    return { kind: 'skip', reason: 'transfer_giver' };
  }
  return {
    kind: 'accept',
    accepted: {
      key,
      eventId,
      customerioEvent,
      workspace,
      identity,
      event,
    },
  };
}

/**
 * The event id shown in answers and logs: Purchasely's `event_id`, or, for old payloads without one, the
 * Customer.io event id (a ULID) instead of the fallback key, which is built from the user id and the store
 * transaction ids: payload that must not reach a log above `debug`.
 */
function publicEventId(event: AnyEvent, key: string): string {
  if (typeof event.event_id === 'string' && event.event_id !== '') return event.event_id;
  return eventIdFor(key, event.event_created_at_ms);
}

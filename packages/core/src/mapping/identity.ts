import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';

/** Who an event is about, in Customer.io's terms. */
export type ResolvedIdentity =
  | {
      kind: 'person';
      /** How Customer.io addresses the person. */
      identifier: { id: string } | { email: string };
      /**
       * Anonymous ids whose history joins this person (Customer.io merges anonymous events sent under them):
       * the event's own `anonymous_user_id`, and the anonymous giver of a `*_RECEIVED` transfer.
       */
      anonymousIds: readonly string[];
    }
  | { kind: 'anonymous'; anonymousId: string }
  | { kind: 'none' };

/**
 * What an `identify` resolver may answer: a person id (a string or `{ id }`), `{ email }`,
 * `{ anonymousId }`, or nothing to skip the event (it is still acknowledged to Purchasely).
 */
export type IdentifyAnswer =
  | string
  | { id: string }
  | { email: string }
  | { anonymousId: string }
  | null
  | undefined;

/** Resolves the Customer.io person of an event; may be async (a database lookup, say). */
export type IdentifyResolver = (
  event: PurchaselyEvent | UnknownPurchaselyEvent,
) => IdentifyAnswer | Promise<IdentifyAnswer>;

/**
 * The default rule: the person is the app's `user_id`. An event with only `anonymous_user_id` goes to
 * Customer.io as an anonymous event; when a person also has anonymous history (see {@link toIdentity}),
 * Customer.io is asked to merge it into them.
 *
 * @example
 * ```ts
 * defaultIdentify({ user_id: 'u1', ...rest }); // 'u1'
 * defaultIdentify({ user_id: null, anonymous_user_id: 'a1', ...rest }); // { anonymousId: 'a1' }
 * ```
 */
export const defaultIdentify: IdentifyResolver = (event) => {
  if (nonEmpty(event.user_id)) return event.user_id;
  if (nonEmpty(event.anonymous_user_id)) return { anonymousId: event.anonymous_user_id };
  return undefined;
};

/**
 * Turns a resolver's answer into an identity. A person collects the anonymous ids whose history joins them
 * (see {@link ResolvedIdentity}). Blank strings count as no answer: an empty id would address nobody.
 */
export function toIdentity(
  answer: IdentifyAnswer,
  event: PurchaselyEvent | UnknownPurchaselyEvent,
): ResolvedIdentity {
  const person = (identifier: { id: string } | { email: string }): ResolvedIdentity => ({
    kind: 'person',
    identifier,
    anonymousIds: anonymousHistoryOf(event),
  });

  if (typeof answer === 'string')
    return nonEmpty(answer) ? person({ id: answer }) : { kind: 'none' };
  if (answer === null || answer === undefined || typeof answer !== 'object')
    return { kind: 'none' };
  if ('id' in answer && nonEmpty(answer.id)) return person({ id: answer.id });
  if ('email' in answer && nonEmpty(answer.email)) return person({ email: answer.email });
  if ('anonymousId' in answer && nonEmpty(answer.anonymousId)) {
    return { kind: 'anonymous', anonymousId: answer.anonymousId };
  }
  return { kind: 'none' };
}

/**
 * The anonymous ids whose history belongs to the person an event is about: its own `anonymous_user_id`
 * (Purchasely sets it only without a `user_id`, but a custom resolver may name a person anyway), and on a
 * `*_RECEIVED` transfer the anonymous giver: a purchase made before login whose history (started, trial,
 * …) must join the account that now owns it. A known giver (`transferred_from_user_id`) is another person
 * and keeps their own history.
 */
function anonymousHistoryOf(event: PurchaselyEvent | UnknownPurchaselyEvent): string[] {
  const ids: string[] = [];
  if (nonEmpty(event.anonymous_user_id)) ids.push(event.anonymous_user_id);
  if (isReceivedTransfer(event.event_name)) {
    const giver = (event as { transferred_from_anonymous_user_id?: unknown })
      .transferred_from_anonymous_user_id;
    if (nonEmpty(giver) && !ids.includes(giver)) ids.push(giver);
  }
  return ids;
}

/** `SUBSCRIPTION_RECEIVED` / `ONE_TIME_PURCHASE_RECEIVED`: sent for the new owner of a transferred purchase. */
export function isReceivedTransfer(eventName: string): boolean {
  return eventName === 'SUBSCRIPTION_RECEIVED' || eventName === 'ONE_TIME_PURCHASE_RECEIVED';
}

/** `SUBSCRIPTION_TRANSFERRED` / `ONE_TIME_PURCHASE_TRANSFERRED`: sent for the original owner, who lost it. */
export function isGivenTransfer(eventName: string): boolean {
  return eventName === 'SUBSCRIPTION_TRANSFERRED' || eventName === 'ONE_TIME_PURCHASE_TRANSFERRED';
}

/**
 * Whether a `*_TRANSFERRED` event would reach someone other than the giver it describes, and so must not be
 * sent: an anonymous giver's id is, or will be, merged into the receiver (whose `*_RECEIVED` joins that
 * anonymous history), so an anonymous "you lost access" event would land on the person who just gained it;
 * and a resolver that names the receiver would do the same directly.
 */
export function wouldReachTransferReceiver(
  event: PurchaselyEvent | UnknownPurchaselyEvent,
  identity: ResolvedIdentity,
): boolean {
  if (!isGivenTransfer(event.event_name)) return false;
  if (identity.kind === 'anonymous') return true;
  if (identity.kind !== 'person') return false;
  const receiver = (event as { transferred_to_user_id?: unknown }).transferred_to_user_id;
  return 'id' in identity.identifier && nonEmpty(receiver) && identity.identifier.id === receiver;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

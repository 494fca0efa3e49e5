import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';

/** Who an event is about, in Customer.io's terms. */
export type ResolvedIdentity =
  | {
      kind: 'person';
      /** How Customer.io addresses the person. */
      identifier: { id: string } | { email: string };
      /** Sent along so Customer.io merges what it received anonymously under this id. */
      anonymousId?: string;
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
 * Customer.io as an anonymous event; once an event carries both, the anonymous id rides along with the
 * person so Customer.io merges the anonymous history into them.
 *
 * @example
 * ```ts
 * defaultIdentify({ user_id: 'u1', anonymous_user_id: 'a1', ...rest }); // 'u1' (anonymous id added by the bridge)
 * ```
 */
export const defaultIdentify: IdentifyResolver = (event) => {
  if (nonEmpty(event.user_id)) return event.user_id;
  if (nonEmpty(event.anonymous_user_id)) return { anonymousId: event.anonymous_user_id };
  return undefined;
};

/**
 * Turns a resolver's answer into an identity, adding the event's anonymous id to a person so Customer.io
 * can merge. Blank strings count as no answer: an empty id would address nobody.
 */
export function toIdentity(
  answer: IdentifyAnswer,
  event: PurchaselyEvent | UnknownPurchaselyEvent,
): ResolvedIdentity {
  const anonymousId = nonEmpty(event.anonymous_user_id) ? event.anonymous_user_id : undefined;
  const person = (identifier: { id: string } | { email: string }): ResolvedIdentity =>
    anonymousId === undefined
      ? { kind: 'person', identifier }
      : { kind: 'person', identifier, anonymousId };

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

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

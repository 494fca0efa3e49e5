import type { CustomerIoCallOptions, CustomerIoClient } from '../customerio/index.js';
import { type DeliveryPlan, toBatchOperations } from '../mapping/index.js';
import { classifyDeliveryFailure, type DeliveryResult } from './classify-failure.js';

export type { DeliveryResult };

/**
 * Sends a plan with as few requests as Customer.io's API allows. A person is always addressed the same way,
 * v2 `identifiers`, whatever the payload's shape, so one user is one Customer.io person:
 * - a known person: one `/api/v2/batch` (attribute update, then event);
 * - with anonymous history to join (and an identifier v1 reads as the same person): the same batch, then a
 *   v1 identify carrying only `anonymous_id` per anonymous id (the merge Customer.io documents, on v1 only);
 * - an anonymous user: one v1 anonymous event.
 *
 * `limits` bound every request: none waits for a rate-limit slot past the deadline, and an abort cancels
 * what is in flight, so nothing is sent after the bridge has answered 503.
 */
export async function deliver(
  client: CustomerIoClient,
  plan: DeliveryPlan,
  limits: CustomerIoCallOptions = {},
): Promise<DeliveryResult> {
  try {
    if (plan.kind === 'anonymous') {
      await client.trackAnonymous(plan.anonymousId, plan.event, limits);
      return { ok: true };
    }
    const { failures, unattributed } = await client.batch(toBatchOperations(plan), limits);
    const messages = [...failures, ...unattributed].map((failure) => failure.message);
    // Any 207 error, matched to an operation or not, means this event was not taken whole.
    if (messages.length > 0) {
      return {
        ok: false,
        permanent: true,
        // Messages only: a failure's `operation` holds the whole payload, which must not reach a log.
        error: new Error(`Customer.io refused part of the event: ${messages.join('; ')}`),
      };
    }
    // After the batch, so an event Customer.io refuses sends nothing at all; a merge that fails after it is
    // retried with the whole delivery, which is safe: the event's id dedupes it, the identify is idempotent.
    if (plan.anonymousMerge?.supported) {
      for (const anonymousId of plan.anonymousMerge.anonymousIds) {
        await client.identify(
          plan.identifier,
          { anonymous_id: anonymousId },
          { timestamp: plan.timestamp, ...limits },
        );
      }
    }
    return { ok: true };
  } catch (error) {
    return classifyDeliveryFailure(error);
  }
}

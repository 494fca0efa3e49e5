import type { CustomerIoClient } from '../customerio/index.js';
import { type DeliveryPlan, toBatchOperations } from '../mapping/index.js';
import { classifyDeliveryFailure, type DeliveryResult } from './classify-failure.js';

export type { DeliveryResult };

/**
 * Sends a plan with as few requests as Customer.io's API allows:
 * - a known person: one `/api/v2/batch` (attribute update, then event);
 * - a person with an anonymous id to merge: a v1 identify carrying `anonymous_id` (the reserved key
 *   Customer.io documents for merging on v1; its v2 counterpart is not documented, so we don't rely on it),
 *   then the event;
 * - an anonymous user: one v1 anonymous event.
 */
export async function deliver(
  client: CustomerIoClient,
  plan: DeliveryPlan,
): Promise<DeliveryResult> {
  try {
    if (plan.kind === 'anonymous') {
      await client.trackAnonymous(plan.anonymousId, plan.event);
      return { ok: true };
    }
    if (plan.anonymousId === undefined) {
      const { failures, unattributed } = await client.batch(toBatchOperations(plan));
      const messages = [...failures, ...unattributed].map((failure) => failure.message);
      // Any 207 error, matched to an operation or not, means this event was not taken whole.
      return messages.length === 0
        ? { ok: true }
        : {
            ok: false,
            permanent: true,
            // Messages only: a failure's `operation` holds the whole payload, which must not reach a log.
            error: new Error(`Customer.io refused part of the event: ${messages.join('; ')}`),
          };
    }
    await client.identify(
      plan.identifier,
      { ...plan.attributes, anonymous_id: plan.anonymousId },
      { timestamp: plan.timestamp },
    );
    await client.track(plan.identifier, plan.event);
    return { ok: true };
  } catch (error) {
    return classifyDeliveryFailure(error);
  }
}


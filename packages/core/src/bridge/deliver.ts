import {
  type CustomerIoClient,
  isCustomerIoBatchError,
  isCustomerIoHttpError,
  isCustomerIoRegionError,
  isCustomerIoTimeoutError,
  isCustomerIoValidationError,
} from '../customerio/index.js';
import { type DeliveryPlan, toBatchOperations } from '../mapping/index.js';

/** How a delivery ended: only `unavailable` asks Purchasely to re-deliver. */
export type DeliveryResult =
  | { ok: true }
  | { ok: false; permanent: true; error: unknown }
  | {
      ok: false;
      permanent: false;
      reason: 'unavailable' | 'timeout' | 'credentials' | 'configuration';
      error: unknown;
    };

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
    return classify(error);
  }
}

/**
 * Permanent means "Customer.io will never accept this event as it is": a retry from Purchasely cannot help
 * and would hold back the user's later events. Everything else (down, slow, our credentials or region being
 * wrong) is fixable on our side, so Purchasely is asked to re-deliver and nothing is lost meanwhile.
 */
function classify(error: unknown): DeliveryResult {
  const cause = isCustomerIoBatchError(error) ? error.cause : error;
  if (isCustomerIoValidationError(cause)) return { ok: false, permanent: true, error };
  if (isCustomerIoHttpError(cause)) {
    if (cause.status === 401 || cause.status === 403) {
      return { ok: false, permanent: false, reason: 'credentials', error };
    }
    if (!cause.retryable && cause.status >= 400 && cause.status < 500) {
      return { ok: false, permanent: true, error };
    }
    return { ok: false, permanent: false, reason: 'unavailable', error };
  }
  if (isCustomerIoRegionError(cause))
    return { ok: false, permanent: false, reason: 'configuration', error };
  if (isCustomerIoTimeoutError(cause))
    return { ok: false, permanent: false, reason: 'timeout', error };
  return { ok: false, permanent: false, reason: 'unavailable', error };
}

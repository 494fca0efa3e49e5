import {
  isCustomerIoAbortError,
  isCustomerIoBatchError,
  isCustomerIoDeadlineError,
  isCustomerIoHttpError,
  isCustomerIoRegionError,
  isCustomerIoTimeoutError,
  isCustomerIoValidationError,
} from '../customerio/index.js';

/** Why a delivery could not be done yet; each is fixable, so Purchasely is asked to re-deliver. */
export type TransientFailureReason =
  | 'unavailable'
  | 'timeout'
  | 'credentials'
  | 'configuration'
  | 'rate_limited';

/** How a delivery ended: only `unavailable` asks Purchasely to re-deliver. */
export type DeliveryResult =
  | { ok: true }
  | { ok: false; permanent: true; error: unknown }
  | {
      ok: false;
      permanent: false;
      reason: TransientFailureReason;
      error: unknown;
    };

/**
 * Statuses that Customer.io's fixed Track endpoints never give for a request's content: the URL or
 * method is wrong, so a wrong `baseUrl` or something in the way answered.
 */
const MISROUTED_STATUSES = new Set([404, 405, 410]);
/** Statuses that are the request's fault only when Customer.io itself says so in its JSON. */
const CONTENT_STATUSES_NEEDING_CUSTOMERIO_BODY = new Set([400, 413]);

/**
 * Permanent means "Customer.io will never accept this event as it is": a retry from Purchasely cannot help
 * and would hold back the user's later events. Everything else (down, slow, our credentials, region or
 * `baseUrl` being wrong, a proxy in the way, the client's rate limit) is fixable on our side, so Purchasely
 * is asked to re-deliver and nothing is lost meanwhile.
 */
export function classifyDeliveryFailure(error: unknown): DeliveryResult {
  const cause = isCustomerIoBatchError(error) ? error.cause : error;
  if (isCustomerIoValidationError(cause)) return { ok: false, permanent: true, error };
  if (isCustomerIoHttpError(cause)) {
    if (cause.status === 401 || cause.status === 403) {
      return { ok: false, permanent: false, reason: 'credentials', error };
    }
    if (
      MISROUTED_STATUSES.has(cause.status) ||
      // `=== false`: an error from an older copy of the client has no such field; keep its old class.
      (CONTENT_STATUSES_NEEDING_CUSTOMERIO_BODY.has(cause.status) &&
        cause.hasCustomerIoErrorBody === false)
    ) {
      return { ok: false, permanent: false, reason: 'configuration', error };
    }
    if (!cause.retryable && cause.status >= 400 && cause.status < 500) {
      return { ok: false, permanent: true, error };
    }
    // Also a 207 whose body cannot be read: maybe partly applied, and safe to send again.
    return { ok: false, permanent: false, reason: 'unavailable', error };
  }
  if (isCustomerIoRegionError(cause))
    return { ok: false, permanent: false, reason: 'configuration', error };
  if (isCustomerIoDeadlineError(cause))
    return { ok: false, permanent: false, reason: 'rate_limited', error };
  if (isCustomerIoTimeoutError(cause) || isCustomerIoAbortError(cause))
    return { ok: false, permanent: false, reason: 'timeout', error };
  return { ok: false, permanent: false, reason: 'unavailable', error };
}

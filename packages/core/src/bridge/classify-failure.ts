import {
  isCustomerIoBatchError,
  isCustomerIoHttpError,
  isCustomerIoRegionError,
  isCustomerIoTimeoutError,
  isCustomerIoValidationError,
} from '../customerio/index.js';

/** Why a delivery could not be done yet; each is fixable, so Purchasely is asked to re-deliver. */
export type TransientFailureReason = 'unavailable' | 'timeout' | 'credentials' | 'configuration';

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
 * Permanent means "Customer.io will never accept this event as it is": a retry from Purchasely cannot help
 * and would hold back the user's later events. Everything else (down, slow, our credentials or region being
 * wrong) is fixable on our side, so Purchasely is asked to re-deliver and nothing is lost meanwhile.
 */
export function classifyDeliveryFailure(error: unknown): DeliveryResult {
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

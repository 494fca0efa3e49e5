import { PurchaselyCustomerIoError } from '../errors.js';

/**
 * Thrown when verification or signing receives something other than the raw request body, usually a
 * JSON object produced by a body parser. It is a programming error, not a bad request, so it throws
 * instead of returning a failed result: the fix is in the server's wiring, not in the sender.
 */
export class PurchaselyRawBodyError extends PurchaselyCustomerIoError {
  override readonly name = 'PurchaselyRawBodyError';
  override readonly code = 'raw_body_required';
}

/**
 * Thrown for invalid verifier or signer configuration (no secret, an empty secret, a negative
 * tolerance, a missing Web Crypto implementation). Messages never contain a secret's value, only its
 * position in the list.
 */
export class PurchaselySignatureConfigError extends PurchaselyCustomerIoError {
  override readonly name = 'PurchaselySignatureConfigError';
  override readonly code = 'signature_config';
}

/**
 * Purchasely webhook signatures: `createPurchaselyVerifier` (or the one-shot
 * `verifyPurchaselySignature`) for endpoints and `signPurchaselyWebhook` for tests. Web Crypto only, so it runs on Node, Bun, Deno and Workers.
 *
 * @module
 */
export type { RawBody } from './body.js';
export { DEFAULT_TOLERANCE_SECONDS } from './config.js';
export { PurchaselyRawBodyError, PurchaselySignatureConfigError } from './errors.js';
export {
  type HeaderRecord,
  type HeadersGetter,
  type HeadersLike,
  PURCHASELY_DEPRECATED_SIGNATURE_HEADER,
  PURCHASELY_SIGNATURE_HEADER,
  PURCHASELY_TIMESTAMP_HEADER,
  readHeader,
} from './headers.js';
export type {
  SignatureFailureReason,
  SignatureScheme,
  SignatureVerificationFailure,
  SignatureVerificationResult,
  SignatureVerificationSuccess,
  SignatureWarning,
  SignatureWarningCode,
} from './result.js';
export {
  type PurchaselySignatureHeaders,
  type SignPurchaselyWebhookOptions,
  signPurchaselyWebhook,
} from './sign.js';
export {
  createPurchaselyVerifier,
  type PurchaselyVerifier,
  type PurchaselyVerifierOptions,
  type PurchaselyVerifyInput,
} from './verifier.js';
export { type VerifyPurchaselySignatureOptions, verifyPurchaselySignature } from './verify.js';

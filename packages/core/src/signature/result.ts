/** Which header a verified request was signed with. */
export type SignatureScheme = 'request-signature' | 'deprecated';

/**
 * Why a request failed verification. Every reason except `signature_mismatch` and the two timestamp
 * window reasons is detected before any cryptography runs.
 *
 * - `missing_signature`: neither signature header is present.
 * - `deprecated_signature_rejected`: only the deprecated header is present and it is not allowed.
 * - `missing_timestamp`: no `X-PURCHASELY-TIMESTAMP`.
 * - `invalid_timestamp`: the timestamp is not all digits.
 * - `signature_mismatch`: the signature is malformed or matches no secret.
 * - `timestamp_too_old` / `timestamp_in_future`: the signature is authentic, but the timestamp is
 *   outside the tolerance (a replay, a late delivery or clock skew).
 */
export type SignatureFailureReason =
  | 'missing_signature'
  | 'deprecated_signature_rejected'
  | 'missing_timestamp'
  | 'invalid_timestamp'
  | 'signature_mismatch'
  | 'timestamp_too_old'
  | 'timestamp_in_future';

/** Stable codes of the warnings a successful verification can carry. */
export type SignatureWarningCode = 'deprecated_signature_scheme';

/** Something an operator should know about an otherwise accepted request. */
export interface SignatureWarning {
  readonly code: SignatureWarningCode;
  readonly message: string;
}

/** The request is authentic and inside the replay window. */
export interface SignatureVerificationSuccess {
  readonly ok: true;
  readonly scheme: SignatureScheme;
  /** The signed timestamp in Unix seconds (floored if the header carried milliseconds). */
  readonly timestamp: number;
  /** Index of the secret that matched, in the order the secrets were given. */
  readonly secretIndex: number;
  readonly warnings: readonly SignatureWarning[];
}

/** The request must be rejected; `message` is safe to log and to return to the caller. */
export interface SignatureVerificationFailure {
  readonly ok: false;
  readonly reason: SignatureFailureReason;
  readonly message: string;
}

/** Outcome of `verifyPurchaselySignature`; discriminate on `ok`. */
export type SignatureVerificationResult =
  | SignatureVerificationSuccess
  | SignatureVerificationFailure;

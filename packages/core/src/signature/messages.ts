import type {
  SignatureFailureReason,
  SignatureVerificationFailure,
  SignatureWarning,
} from './result.js';

/** Header names as Purchasely documents them, for messages. */
const SIGNATURE = 'X-PURCHASELY-REQUEST-SIGNATURE';
const TIMESTAMP = 'X-PURCHASELY-TIMESTAMP';
const DEPRECATED = 'X-PURCHASELY-SIGNATURE';

/** Every message says what went wrong and what to check; none contains a secret or the body. */
function fail(reason: SignatureFailureReason, message: string): SignatureVerificationFailure {
  return { ok: false, reason, message };
}

function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3);
}

// Frozen because the same object is handed to every caller.
export const DEPRECATED_WARNING: SignatureWarning = Object.freeze({
  code: 'deprecated_signature_scheme',
  message:
    `Accepted the deprecated ${DEPRECATED} header, which signs only the timestamp and ` +
    'does not cover the body: a captured request can be replayed with any body inside the ' +
    `tolerance window. Have Purchasely send ${SIGNATURE} and turn off ` +
    'allowDeprecatedSignature.',
});

export const missingSignature = (): SignatureVerificationFailure =>
  fail(
    'missing_signature',
    `Missing ${SIGNATURE} header: the request is not signed by Purchasely, or a proxy dropped the header.`,
  );

export const deprecatedRejected = (): SignatureVerificationFailure =>
  fail(
    'deprecated_signature_rejected',
    `Only the deprecated ${DEPRECATED} header is present. It does not cover the body, ` +
      'so a captured request can be replayed with any body. Prefer having Purchasely send ' +
      `${SIGNATURE}; to accept the old scheme meanwhile, pass allowDeprecatedSignature: true.`,
  );

export const missingTimestamp = (): SignatureVerificationFailure =>
  fail(
    'missing_timestamp',
    `Missing ${TIMESTAMP} header, which the signature covers; a proxy may have dropped it.`,
  );

export const invalidTimestamp = (): SignatureVerificationFailure =>
  fail('invalid_timestamp', `${TIMESTAMP} is not a Unix timestamp: expected digits only.`);

export function malformedSignature(
  deprecated: boolean,
  value: string,
): SignatureVerificationFailure {
  const duplicate = value.includes(',')
    ? ' It holds several comma-separated values: was the header sent more than once?'
    : '';
  return fail(
    'signature_mismatch',
    `${deprecated ? DEPRECATED : SIGNATURE} is malformed: expected 64 hexadecimal characters (an HMAC-SHA256).${duplicate}`,
  );
}

export function mismatch(deprecated: boolean): SignatureVerificationFailure {
  return fail(
    'signature_mismatch',
    deprecated
      ? `${DEPRECATED} does not match the timestamp for any configured secret. Check ` +
          "the secret (Purchasely 'Client shared secret')."
      : `${SIGNATURE} does not match the timestamp and body for any configured secret. ` +
          "Check the secret (Purchasely 'Client shared secret') and that the body is passed " +
          'exactly as received, not re-serialized JSON.',
  );
}

export function outsideWindow(
  direction: 'past' | 'future',
  seconds: number,
  toleranceSeconds: number,
): SignatureVerificationFailure {
  const tolerance = `the ${formatSeconds(toleranceSeconds)} s tolerance`;
  return direction === 'past'
    ? fail(
        'timestamp_too_old',
        `The signature is valid but ${TIMESTAMP} is ${formatSeconds(seconds)} s in ` +
          `the past, beyond ${tolerance}: a replay, a late delivery or a slow clock. If legitimate ` +
          'deliveries hit this, check the server clock or raise toleranceSeconds.',
      )
    : fail(
        'timestamp_in_future',
        `The signature is valid but ${TIMESTAMP} is ${formatSeconds(seconds)} s in ` +
          `the future, beyond ${tolerance}: check that the server clock is synchronised (NTP).`,
      );
}

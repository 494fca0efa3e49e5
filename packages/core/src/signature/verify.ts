import { type RawBody, toBodyBytes } from './body.js';
import { assertOptionalFunction, readClock, resolveSecrets, resolveTolerance } from './config.js';
import { PurchaselySignatureConfigError } from './errors.js';
import {
  type HeadersLike,
  PURCHASELY_DEPRECATED_SIGNATURE_HEADER,
  PURCHASELY_SIGNATURE_HEADER,
  PURCHASELY_TIMESTAMP_HEADER,
  readHeader,
} from './headers.js';
import { decodeSignatureHex } from './hex.js';
import { concatBytes, findMatchingSecret, utf8 } from './hmac.js';
import type {
  SignatureFailureReason,
  SignatureScheme,
  SignatureVerificationFailure,
  SignatureVerificationResult,
  SignatureWarning,
} from './result.js';
import { parseTimestamp, timestampSkew } from './timestamp.js';

/** Options of {@link verifyPurchaselySignature}. */
export interface VerifyPurchaselySignatureOptions {
  /**
   * The raw request body, byte for byte as received. A parsed object throws
   * `PurchaselyRawBodyError`, because re-serialized JSON never reproduces the signed bytes.
   */
  readonly body: RawBody;
  /** The request headers: a `Headers` instance, Node's `IncomingHttpHeaders` or a plain object. */
  readonly headers: HeadersLike;
  /**
   * The Purchasely client shared secret, or several during a rotation (the result's `secretIndex`
   * says which matched). Never copied into any message, error or result.
   */
  readonly secret: string | readonly string[];
  /**
   * Maximum distance between the signed timestamp and the clock, in seconds, in either direction.
   * Defaults to 300. `Infinity` disables the replay check.
   */
  readonly toleranceSeconds?: number;
  /** Clock returning epoch milliseconds; defaults to `Date.now`. Inject it in tests. */
  readonly now?: () => number;
  /**
   * Accept the deprecated `X-PURCHASELY-SIGNATURE` header when the current one is absent. Off by
   * default: that scheme signs only the secret and the timestamp, so anyone who captured one
   * signed request can attach any body to it within the tolerance window.
   */
  readonly allowDeprecatedSignature?: boolean;
  /** Called with each warning, in addition to the result's `warnings`; handy for a logger. */
  readonly onWarning?: (warning: SignatureWarning) => void;
}

const DISPLAY = {
  signature: 'X-PURCHASELY-REQUEST-SIGNATURE',
  timestamp: 'X-PURCHASELY-TIMESTAMP',
  deprecated: 'X-PURCHASELY-SIGNATURE',
} as const;

// Frozen because the same object is handed to every caller.
const DEPRECATED_WARNING: SignatureWarning = Object.freeze({
  code: 'deprecated_signature_scheme',
  message:
    `Accepted the deprecated ${DISPLAY.deprecated} header, which signs only the timestamp and ` +
    'does not cover the body: a captured request can be replayed with any body inside the ' +
    `tolerance window. Have Purchasely send ${DISPLAY.signature} and turn off ` +
    'allowDeprecatedSignature.',
});

function fail(reason: SignatureFailureReason, message: string): SignatureVerificationFailure {
  return { ok: false, reason, message };
}

/** Header values count as absent when empty, so `''` and a missing header read the same. */
function presentHeader(headers: HeadersLike, name: string): string | undefined {
  const value = readHeader(headers, name)?.trim();
  return value === undefined || value.length === 0 ? undefined : value;
}

function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3);
}

function malformedSignatureMessage(header: string, value: string): string {
  const duplicate = value.includes(',')
    ? ' It holds several comma-separated values: was the header sent more than once?'
    : '';
  return `${header} is malformed: expected 64 hexadecimal characters (an HMAC-SHA256).${duplicate}`;
}

/**
 * Verifies that a webhook request comes from Purchasely and is recent.
 *
 * The current scheme is `X-PURCHASELY-REQUEST-SIGNATURE` = lowercase hex
 * HMAC-SHA256(secret, `X-PURCHASELY-TIMESTAMP` value + raw body bytes). The check runs in this order:
 *
 * 1. Signature header. If `X-PURCHASELY-REQUEST-SIGNATURE` is absent, the deprecated
 *    `X-PURCHASELY-SIGNATURE` is used only when `allowDeprecatedSignature` is set (the success then
 *    carries a `deprecated_signature_scheme` warning). When the current header is present the
 *    deprecated one is ignored, so a bad current signature can never be downgraded to the weaker
 *    scheme.
 * 2. Timestamp header: present and all digits.
 * 3. The HMAC, against every secret, compared in constant time by Web Crypto.
 * 4. Only then the replay window. A `timestamp_too_old` or `timestamp_in_future` result therefore
 *    means "authentic but outside the window", which points at clock skew or a late delivery rather
 *    than at forgery.
 *
 * Signature values are trimmed and compared case-insensitively: an upper-case rendering of the right
 * MAC is the same 32 bytes, and rejecting it would add no security. A value that is not 64 hex
 * characters is a `signature_mismatch`, not an exception.
 *
 * Timestamps of 1e11 or more are read as milliseconds, smaller ones as seconds (Purchasely's unit is
 * not documented; this only affects the replay window, since the HMAC covers the string as sent).
 *
 * It never throws for anything a sender controls. It throws `PurchaselyRawBodyError` when `body` is
 * not raw bytes or a string, and `PurchaselySignatureConfigError` for invalid options.
 *
 * @returns A result to discriminate on `ok`; failures carry a `reason` and a loggable `message`.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { verifyPurchaselySignature } from '@purchasely-customerio/core';
 *
 * const app = express();
 * app.post('/purchasely', express.raw({ type: 'application/json' }), async (req, res) => {
 *   const result = await verifyPurchaselySignature({
 *     body: req.body, // a Buffer, thanks to express.raw
 *     headers: req.headers,
 *     secret: [process.env.PURCHASELY_SECRET!, process.env.PURCHASELY_PREVIOUS_SECRET!],
 *   });
 *   if (!result.ok) return res.status(401).json({ error: result.reason, message: result.message });
 *   const event = JSON.parse(new TextDecoder().decode(req.body));
 *   // ...
 *   res.sendStatus(200);
 * });
 * ```
 */
export async function verifyPurchaselySignature(
  options: VerifyPurchaselySignatureOptions,
): Promise<SignatureVerificationResult> {
  if (typeof options !== 'object' || options === null) {
    throw new PurchaselySignatureConfigError(
      'verifyPurchaselySignature expects an options object: { body, headers, secret }.',
    );
  }
  const secrets = resolveSecrets(options.secret);
  const toleranceSeconds = resolveTolerance(options.toleranceSeconds);
  assertOptionalFunction(options.now, 'now');
  assertOptionalFunction(options.onWarning, 'onWarning');
  const { headers } = options;
  if (typeof headers !== 'object' || headers === null) {
    throw new PurchaselySignatureConfigError(
      'headers must be a Headers instance or a header object (such as Node req.headers).',
    );
  }
  // Checked before the headers so a wiring mistake surfaces on the very first request.
  const body = toBodyBytes(options.body, 'verifyPurchaselySignature');

  let scheme: SignatureScheme = 'request-signature';
  let signatureHeader: string = DISPLAY.signature;
  let signatureValue = presentHeader(headers, PURCHASELY_SIGNATURE_HEADER);
  if (signatureValue === undefined) {
    const deprecatedValue = presentHeader(headers, PURCHASELY_DEPRECATED_SIGNATURE_HEADER);
    if (deprecatedValue === undefined) {
      return fail(
        'missing_signature',
        `Missing ${DISPLAY.signature} header: the request is not signed by Purchasely, or a proxy dropped the header.`,
      );
    }
    if (options.allowDeprecatedSignature !== true) {
      return fail(
        'deprecated_signature_rejected',
        `Only the deprecated ${DISPLAY.deprecated} header is present. It does not cover the body, ` +
          'so a captured request can be replayed with any body. Prefer having Purchasely send ' +
          `${DISPLAY.signature}; to accept the old scheme meanwhile, pass allowDeprecatedSignature: true.`,
      );
    }
    scheme = 'deprecated';
    signatureHeader = DISPLAY.deprecated;
    signatureValue = deprecatedValue;
  }

  const timestampValue = presentHeader(headers, PURCHASELY_TIMESTAMP_HEADER);
  if (timestampValue === undefined) {
    return fail(
      'missing_timestamp',
      `Missing ${DISPLAY.timestamp} header, which the signature covers; a proxy may have dropped it.`,
    );
  }
  const timestamp = parseTimestamp(timestampValue);
  if (timestamp === undefined) {
    return fail(
      'invalid_timestamp',
      `${DISPLAY.timestamp} is not a Unix timestamp: expected digits only.`,
    );
  }

  const signature = decodeSignatureHex(signatureValue);
  if (signature === undefined) {
    return fail('signature_mismatch', malformedSignatureMessage(signatureHeader, signatureValue));
  }

  const timestampBytes = utf8(timestampValue);
  const signedBytes =
    scheme === 'request-signature' ? concatBytes(timestampBytes, body) : undefined;
  const secretIndex = await findMatchingSecret(
    secrets,
    signature,
    (secret) => signedBytes ?? utf8(secret + timestampValue),
  );
  if (secretIndex === -1) {
    return fail(
      'signature_mismatch',
      scheme === 'request-signature'
        ? `${DISPLAY.signature} does not match the timestamp and body for any configured secret. ` +
            "Check the secret (Purchasely 'Client shared secret') and that the body is passed " +
            'exactly as received, not re-serialized JSON.'
        : `${DISPLAY.deprecated} does not match the timestamp for any configured secret. Check ` +
            "the secret (Purchasely 'Client shared secret').",
    );
  }

  const skew = timestampSkew(timestamp, readClock(options.now ?? Date.now), toleranceSeconds);
  if (skew !== undefined) {
    const tolerance = `the ${formatSeconds(toleranceSeconds)} s tolerance`;
    return skew.direction === 'past'
      ? fail(
          'timestamp_too_old',
          `The signature is valid but ${DISPLAY.timestamp} is ${formatSeconds(skew.seconds)} s in ` +
            `the past, beyond ${tolerance}: a replay, a late delivery or a slow clock. If legitimate ` +
            'deliveries hit this, check the server clock or raise toleranceSeconds.',
        )
      : fail(
          'timestamp_in_future',
          `The signature is valid but ${DISPLAY.timestamp} is ${formatSeconds(skew.seconds)} s in ` +
            `the future, beyond ${tolerance}: check that the server clock is synchronised (NTP).`,
        );
  }

  const warnings: SignatureWarning[] = [];
  if (scheme === 'deprecated') {
    warnings.push(DEPRECATED_WARNING);
    options.onWarning?.(DEPRECATED_WARNING);
  }
  return { ok: true, scheme, timestamp: timestamp.seconds, secretIndex, warnings };
}

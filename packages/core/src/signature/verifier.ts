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
import { concatBytes, findMatchingKey, hmacKey, utf8 } from './hmac.js';
import * as messages from './messages.js';
import type { SignatureVerificationResult, SignatureWarning } from './result.js';
import { parseTimestamp, timestampSkew } from './timestamp.js';

/** Options of {@link createPurchaselyVerifier}, checked once when the verifier is created. */
export interface PurchaselyVerifierOptions {
  /**
   * The Purchasely client shared secret, or several during a rotation (the result's `secretIndex`
   * says which matched). Never copied into any message, error or result.
   */
  readonly secret: string | readonly string[];
  /** Maximum clock distance of the signed timestamp, in seconds, either way. Default 300; `Infinity` disables it. */
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

/** One request to check: the raw body, byte for byte, and its headers (`Headers` or a plain object). */
export interface PurchaselyVerifyInput {
  readonly body: RawBody;
  readonly headers: HeadersLike;
}

/** A verifier with its options checked and its keys imported once; safe to share across requests. */
export interface PurchaselyVerifier {
  /**
   * Resolves with a result to discriminate on `ok`; never rejects for anything a sender controls.
   * Rejects with `PurchaselyRawBodyError` when `body` is not raw bytes or a string.
   */
  verify(input: PurchaselyVerifyInput): Promise<SignatureVerificationResult>;
}

/** Header values count as absent when empty, so `''` and a missing header read the same. */
function present(headers: HeadersLike, name: string): string | undefined {
  const value = readHeader(headers, name)?.trim();
  return value === undefined || value.length === 0 ? undefined : value;
}

/**
 * Creates a Purchasely webhook verifier: options are checked here, once (a bad option throws
 * `PurchaselySignatureConfigError` naming it, never a secret's value), and the HMAC keys are
 * imported on first use and reused by every later request.
 *
 * `verify` checks, in order: the signature header (`X-PURCHASELY-REQUEST-SIGNATURE`; the deprecated
 * `X-PURCHASELY-SIGNATURE` only when allowed and the current one is absent, so a bad current
 * signature is never downgraded), the timestamp header, the HMAC-SHA256 of timestamp + raw body
 * against every secret in constant time, and only then the replay window, so `timestamp_too_old` and
 * `timestamp_in_future` mean "authentic but outside the window". Timestamps of 1e11 or more are read
 * as milliseconds.
 *
 * @example
 * ```ts
 * import { createPurchaselyVerifier } from '@purchasely-customerio/core';
 *
 * const verifier = createPurchaselyVerifier({
 *   secret: [process.env.PURCHASELY_SECRET!, process.env.PURCHASELY_PREVIOUS_SECRET!],
 * });
 *
 * export async function POST(request: Request): Promise<Response> {
 *   const body = new Uint8Array(await request.arrayBuffer());
 *   const result = await verifier.verify({ body, headers: request.headers });
 *   if (!result.ok) return Response.json({ error: result.reason }, { status: 401 });
 *   // JSON.parse(new TextDecoder().decode(body)) ...
 *   return new Response(null, { status: 200 });
 * }
 * ```
 */
export function createPurchaselyVerifier(options: PurchaselyVerifierOptions): PurchaselyVerifier {
  return buildVerifier(options, 'createPurchaselyVerifier');
}

/** @internal `caller` names the public entry point in error messages. */
export function buildVerifier(
  options: PurchaselyVerifierOptions,
  caller: string,
): PurchaselyVerifier {
  if (typeof options !== 'object' || options === null) {
    throw new PurchaselySignatureConfigError(`${caller} expects an options object: { secret }.`);
  }
  const secrets = resolveSecrets(options.secret);
  const toleranceSeconds = resolveTolerance(options.toleranceSeconds);
  assertOptionalFunction(options.now, 'now');
  assertOptionalFunction(options.onWarning, 'onWarning');
  const { allowDeprecatedSignature = false, onWarning } = options;
  if (typeof allowDeprecatedSignature !== 'boolean') {
    throw new PurchaselySignatureConfigError(
      `allowDeprecatedSignature must be a boolean, received ${typeof allowDeprecatedSignature}.`,
    );
  }
  const now = options.now ?? (() => Date.now());
  const bodyCaller = caller === 'createPurchaselyVerifier' ? 'verifier.verify' : caller;
  let keys: Promise<CryptoKey[]> | undefined;
  const loadKeys = (): Promise<CryptoKey[]> => {
    keys ??= Promise.all(secrets.map(hmacKey)).catch((error: unknown) => {
      keys = undefined; // let the next request retry a failed import
      throw error;
    });
    return keys;
  };

  async function verify(input: PurchaselyVerifyInput): Promise<SignatureVerificationResult> {
    const headers = input?.headers;
    if (typeof headers !== 'object' || headers === null) {
      throw new PurchaselySignatureConfigError(
        'headers must be a Headers instance or a header object (such as Node req.headers).',
      );
    }
    // Checked before the headers so a wiring mistake surfaces on the very first request.
    const body = toBodyBytes(input.body, bodyCaller);

    let deprecated = false;
    let signatureValue = present(headers, PURCHASELY_SIGNATURE_HEADER);
    if (signatureValue === undefined) {
      signatureValue = present(headers, PURCHASELY_DEPRECATED_SIGNATURE_HEADER);
      if (signatureValue === undefined) return messages.missingSignature();
      if (!allowDeprecatedSignature) return messages.deprecatedRejected();
      deprecated = true;
    }
    const timestampValue = present(headers, PURCHASELY_TIMESTAMP_HEADER);
    if (timestampValue === undefined) return messages.missingTimestamp();
    const timestamp = parseTimestamp(timestampValue);
    if (timestamp === undefined) return messages.invalidTimestamp();
    const signature = decodeSignatureHex(signatureValue);
    if (signature === undefined) return messages.malformedSignature(deprecated, signatureValue);

    const signed = deprecated ? undefined : concatBytes(utf8(timestampValue), body);
    const secretIndex = await findMatchingKey(
      await loadKeys(),
      signature,
      (index) => signed ?? utf8(secrets[index] + timestampValue),
    );
    if (secretIndex === -1) return messages.mismatch(deprecated);

    const skew = timestampSkew(timestamp, readClock(now), toleranceSeconds);
    if (skew !== undefined)
      return messages.outsideWindow(skew.direction, skew.seconds, toleranceSeconds);

    const warnings: SignatureWarning[] = [];
    if (deprecated) {
      warnings.push(messages.DEPRECATED_WARNING);
      onWarning?.(messages.DEPRECATED_WARNING);
    }
    const scheme = deprecated ? 'deprecated' : 'request-signature';
    return { ok: true, scheme, timestamp: timestamp.seconds, secretIndex, warnings };
  }

  return { verify };
}

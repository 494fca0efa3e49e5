import { type RawBody, toBodyBytes } from './body.js';
import { resolveSecrets } from './config.js';
import { PurchaselySignatureConfigError } from './errors.js';
import { PURCHASELY_SIGNATURE_HEADER, PURCHASELY_TIMESTAMP_HEADER } from './headers.js';
import { encodeHex } from './hex.js';
import { concatBytes, hmacSign, utf8 } from './hmac.js';

/** Options of {@link signPurchaselyWebhook}. */
export interface SignPurchaselyWebhookOptions {
  /** The client shared secret to sign with. */
  readonly secret: string;
  /** The exact body that will be sent; strings are signed as UTF-8. */
  readonly body: RawBody;
  /** Unix seconds, as a number or a digit string. Defaults to the current time. */
  readonly timestamp?: number | string;
}

/**
 * The two headers Purchasely sends, keyed by their lower-case names. A type alias rather than an
 * interface so it stays assignable to `HeadersLike` and can go straight back into the verifier.
 */
export type PurchaselySignatureHeaders = {
  readonly [PURCHASELY_SIGNATURE_HEADER]: string;
  readonly [PURCHASELY_TIMESTAMP_HEADER]: string;
};

function resolveTimestamp(timestamp: number | string | undefined): string {
  if (timestamp === undefined) return String(Math.floor(Date.now() / 1000));
  if (typeof timestamp === 'number' && Number.isSafeInteger(timestamp) && timestamp >= 0) {
    return String(timestamp);
  }
  if (typeof timestamp === 'string' && /^\d+$/.test(timestamp)) return timestamp;
  throw new PurchaselySignatureConfigError(
    `timestamp must be Unix seconds as a non-negative integer or a digit string, received ${String(timestamp)}.`,
  );
}

/**
 * Signs a body the way Purchasely does, for tests of webhook endpoints (ours and yours). It produces
 * the current scheme only: `X-PURCHASELY-REQUEST-SIGNATURE` = lowercase hex
 * HMAC-SHA256(secret, timestamp + body).
 *
 * @returns The headers to send with the body, keyed by lower-case name.
 * @throws {PurchaselySignatureConfigError} for an empty secret or an invalid timestamp.
 * @throws {PurchaselyRawBodyError} when `body` is not a string or bytes.
 *
 * @example
 * ```ts
 * import { signPurchaselyWebhook } from '@purchasely-customerio/core';
 *
 * const body = JSON.stringify({ name: 'ACTIVATE', user: { vendor_id: 'user-1' } });
 * const headers = await signPurchaselyWebhook({ secret: 'test-secret', body });
 * const response = await fetch('http://localhost:3000/purchasely', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json', ...headers },
 *   body,
 * });
 * ```
 */
export async function signPurchaselyWebhook(
  options: SignPurchaselyWebhookOptions,
): Promise<PurchaselySignatureHeaders> {
  if (typeof options !== 'object' || options === null) {
    throw new PurchaselySignatureConfigError(
      'signPurchaselyWebhook expects an options object: { secret, body, timestamp? }.',
    );
  }
  if (typeof options.secret !== 'string') {
    throw new PurchaselySignatureConfigError(
      `secret must be a string, received ${options.secret === null ? 'null' : typeof options.secret}.`,
    );
  }
  const [secret] = resolveSecrets(options.secret);
  const body = toBodyBytes(options.body, 'signPurchaselyWebhook');
  const timestamp = resolveTimestamp(options.timestamp);
  const mac = await hmacSign(secret!, concatBytes(utf8(timestamp), body));
  return {
    [PURCHASELY_SIGNATURE_HEADER]: encodeHex(mac),
    [PURCHASELY_TIMESTAMP_HEADER]: timestamp,
  };
}

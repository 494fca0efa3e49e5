import { PurchaselySignatureConfigError } from './errors.js';
import type { SignatureVerificationResult } from './result.js';
import {
  buildVerifier,
  type PurchaselyVerifierOptions,
  type PurchaselyVerifyInput,
} from './verifier.js';

/** Options of {@link verifyPurchaselySignature}: the verifier's options plus the request. */
export interface VerifyPurchaselySignatureOptions
  extends PurchaselyVerifierOptions,
    PurchaselyVerifyInput {}

/**
 * Verifies one webhook request: `createPurchaselyVerifier(options).verify(options)`, with the same
 * checks, results and errors. Prefer `createPurchaselyVerifier` on a server, so options are checked
 * once at startup; this form suits scripts and one-off checks (keys are still cached per secret).
 *
 * The current scheme is `X-PURCHASELY-REQUEST-SIGNATURE` = lowercase hex
 * HMAC-SHA256(secret, `X-PURCHASELY-TIMESTAMP` value + raw body bytes); see
 * `createPurchaselyVerifier` for the order of the checks and the deprecated header.
 *
 * It never throws for anything a sender controls. It rejects with `PurchaselyRawBodyError` when
 * `body` is not raw bytes or a string, and `PurchaselySignatureConfigError` for invalid options.
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
  return buildVerifier(options, 'verifyPurchaselySignature').verify(options);
}

/**
 * `@purchasely-customerio/core`: the framework-free heart of purchasely-customerio.
 *
 * - `events/`: the typed catalog of every Purchasely server event and `parsePurchaselyEvent`.
 * - `signature/`: `verifyPurchaselySignature` and the test signer `signPurchaselyWebhook`.
 * - `customerio/`: the region-aware Customer.io Track API client.
 * - `mapping/`: pure functions from an event to what Customer.io receives (names, attributes, identity).
 *
 * Everything here runs on Web APIs only (fetch, Web Crypto), so it works on Node, Bun, Deno and
 * Cloudflare Workers alike.
 *
 * @packageDocumentation
 */

export * from './bridge/index.js';
export * from './customerio/index.js';
export {
  isPurchaselyCustomerIoError,
  PurchaselyCustomerIoError,
  type PurchaselyCustomerIoErrorJSON,
} from './errors.js';
export * from './events/index.js';
export * from './mapping/index.js';
export * from './signature/index.js';
export * from './state/index.js';

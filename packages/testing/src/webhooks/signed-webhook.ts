import { signPurchaselyWebhook } from '@purchasely-customerio/core';

/** What to sign: a payload object (serialised once, here) or a raw body sent byte for byte. */
export type WebhookBody = object | string | Uint8Array;

export interface SignedWebhookOptions {
  /** The Purchasely client shared secret the receiver is configured with. */
  secret: string;
  body: WebhookBody;
  /** Unix seconds; defaults to now. Set it to test replay windows. */
  timestamp?: number;
}

/** A signed webhook: the exact body and the headers Purchasely would send with it. */
export interface SignedWebhook {
  /** ArrayBuffer-backed when bytes, so it is a valid fetch `BodyInit` as is. */
  body: string | Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

/**
 * Signs a body the way Purchasely does and returns it with its headers (`Content-Type`,
 * `X-PURCHASELY-REQUEST-SIGNATURE`, `X-PURCHASELY-TIMESTAMP`), ready to send with any HTTP client.
 *
 * @example
 * ```ts
 * const webhook = await signedPurchaselyWebhook({ secret, body: purchaselyEvent('TRIAL_STARTED') });
 * await fetch(`${serverUrl}/webhooks/purchasely`, { method: 'POST', ...webhook });
 * ```
 */
export async function signedPurchaselyWebhook(
  options: SignedWebhookOptions,
): Promise<SignedWebhook> {
  const body =
    typeof options.body === 'string'
      ? options.body
      : options.body instanceof Uint8Array
        ? new Uint8Array(options.body)
        : JSON.stringify(options.body);
  const signature = await signPurchaselyWebhook({
    secret: options.secret,
    body,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return { body, headers: { 'content-type': 'application/json', ...signature } };
}

/**
 * A signed webhook as a fetch `Request`, for fetch handlers (`bridge.fetch`, Next.js, Workers, Bun).
 *
 * @example
 * ```ts
 * const response = await bridge.fetch(await signedPurchaselyRequest({ secret, body: event }));
 * ```
 */
export async function signedPurchaselyRequest(
  options: SignedWebhookOptions & { url?: string },
): Promise<Request> {
  const { body, headers } = await signedPurchaselyWebhook(options);
  return new Request(options.url ?? 'http://localhost/webhooks/purchasely', {
    method: 'POST',
    headers,
    body,
  });
}

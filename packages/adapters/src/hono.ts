/**
 * The Hono adapter: a handler for a route, wherever Hono runs (Node, Bun, Deno, Cloudflare Workers).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { purchaselyWebhook } from '@purchasely-customerio/adapters/hono';
 *
 * const app = new Hono();
 * app.post('/webhooks/purchasely', purchaselyWebhook({
 *   webhookSecret: process.env.PURCHASELY_WEBHOOK_SECRET!,
 *   customerio: { siteId: process.env.CUSTOMERIO_SITE_ID!, apiKey: process.env.CUSTOMERIO_API_KEY!, region: 'eu' },
 * }));
 * ```
 *
 * @packageDocumentation
 */
import type { Context } from 'hono';
import { type BridgeOrConfig, toBridge } from './bridge-or-config.js';

/** A Hono route handler. */
export type PurchaselyHonoHandler = (context: Context) => Promise<Response>;

/**
 * Creates the Hono handler. Takes a bridge, or the bridge configuration.
 *
 * @example
 * ```ts
 * app.post('/webhooks/purchasely', purchaselyWebhook(bridge));
 * ```
 */
export function purchaselyWebhook(bridgeOrConfig: BridgeOrConfig): PurchaselyHonoHandler {
  const bridge = toBridge(bridgeOrConfig);
  return async (context) => {
    const request = context.req.raw;
    if (!request.bodyUsed) return bridge.fetch(request);
    // A middleware already read the body: Hono caches it, and its cache keeps the exact text received.
    return bridge
      .handle({
        method: request.method,
        headers: request.headers,
        body: new Uint8Array(await context.req.arrayBuffer()),
      })
      .then(
        (answer) => new Response(answer.body, { status: answer.status, headers: answer.headers }),
      );
  };
}

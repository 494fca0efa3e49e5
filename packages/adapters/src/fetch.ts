/**
 * The fetch adapter: `(request: Request) => Promise<Response>`, for Next.js route handlers, Bun.serve,
 * Deno.serve, Cloudflare Workers and anything else built on the Fetch API.
 *
 * @example
 * ```ts
 * // app/api/webhooks/purchasely/route.ts (Next.js App Router)
 * import { purchaselyWebhook } from '@purchasely-customerio/adapters/fetch';
 *
 * export const POST = purchaselyWebhook({
 *   webhookSecret: process.env.PURCHASELY_WEBHOOK_SECRET!,
 *   customerio: { siteId: process.env.CUSTOMERIO_SITE_ID!, apiKey: process.env.CUSTOMERIO_API_KEY!, region: 'us' },
 * });
 * ```
 *
 * @packageDocumentation
 */
import { type BridgeOrConfig, toBridge } from './bridge-or-config.js';

/** A fetch handler. */
export type PurchaselyFetchHandler = (request: Request) => Promise<Response>;

/**
 * Creates the fetch handler. Takes a bridge, or the bridge configuration.
 *
 * @example
 * ```ts
 * Bun.serve({ port: 3000, fetch: purchaselyWebhook(bridge) });
 * ```
 */
export function purchaselyWebhook(bridgeOrConfig: BridgeOrConfig): PurchaselyFetchHandler {
  const bridge = toBridge(bridgeOrConfig);
  return (request) => bridge.fetch(request);
}

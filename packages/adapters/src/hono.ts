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
import type { BridgeRequest } from '@purchasely-customerio/core';
import type { Context } from 'hono';
import { type BridgeOrConfig, toBridge } from './bridge-or-config.js';

/** A Hono route handler. */
export type PurchaselyHonoHandler = (context: Context) => Promise<Response>;

const ALREADY_READ_HELP =
  'The request body was read before purchaselyWebhook() without Hono keeping its exact bytes (a middleware ' +
  'read c.req.raw directly, or kept only a parsed form), and the Purchasely signature covers those bytes. ' +
  'Register the webhook route before that middleware or make it skip this path, or have it read the body ' +
  'with c.req.text() or c.req.arrayBuffer(), which Hono caches for the next reader.';

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
    // Unread, the bridge reads it with its size limit and read timeout.
    if (!request.bodyUsed) return bridge.fetch(request);
    // A middleware already read the body (with no time limit we could add now): the bridge answers from
    // what Hono kept of it, or from why nothing exact was kept.
    const answer = await bridge.handle({
      method: request.method,
      headers: request.headers,
      body: await bodyReadBefore(context),
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}

/**
 * The exact bytes Hono cached when a middleware read the body through `c.req`, or the problem. Only the raw
 * caches are taken, never through Hono's conversion between them: it re-serialises a cached parsed JSON
 * (`json` is its own cache entry in some Hono 4 versions), which would no longer match the signature.
 */
async function bodyReadBefore(context: Context): Promise<BridgeRequest['body']> {
  const cache = context.req.bodyCache;
  try {
    if (cache.arrayBuffer) return new Uint8Array(await cache.arrayBuffer);
    if (cache.text) return await cache.text;
    if (cache.blob) return new Uint8Array(await (await cache.blob).arrayBuffer());
  } catch {
    // The middleware's read failed (the sender went away mid-upload).
    return { problem: 'unreadable' };
  }
  return { problem: 'already_parsed', help: ALREADY_READ_HELP };
}

/**
 * The Express adapter (Express 4 and 5; any `node:http` server too).
 *
 * Mount it with no body parser in front, or behind `express.raw({ type: 'application/json' })`: the signature
 * covers the body's exact bytes. If `express.json()` already parsed the body, the bytes are gone, so the
 * adapter answers 500 with a message saying how to mount it (never re-serialising the parsed object, which
 * would not match the signature); Purchasely then re-delivers once it is fixed, so nothing is lost.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { purchaselyWebhook } from '@purchasely-customerio/adapters/express';
 *
 * const app = express();
 * app.post('/webhooks/purchasely', purchaselyWebhook({
 *   webhookSecret: process.env.PURCHASELY_WEBHOOK_SECRET!,
 *   customerio: { siteId: process.env.CUSTOMERIO_SITE_ID!, apiKey: process.env.CUSTOMERIO_API_KEY!, region: 'eu' },
 * }));
 * app.use(express.json()); // other routes may parse JSON: mount it after the webhook route
 * ```
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BridgeOrConfig, toBridge } from './bridge-or-config.js';
import { readNodeBody, writeBridgeResponse } from './node-http.js';

/** The request as Express (or plain `node:http`) gives it: `body` is set when a body parser ran. */
export type NodeWebhookRequest = IncomingMessage & { body?: unknown };

/** An Express-compatible handler: it answers every request itself and never rejects, so it needs no `next`. */
export type PurchaselyExpressHandler = (
  request: NodeWebhookRequest,
  response: ServerResponse,
) => Promise<void>;

const MOUNT_HELP =
  'The request body was already parsed (express.json() or another body parser ran first), so its exact ' +
  'bytes, which the Purchasely signature covers, are gone. Mount purchaselyWebhook() before express.json(), ' +
  "or give this route express.raw({ type: 'application/json' }).";

/**
 * Creates the Express handler. Takes a bridge, or the bridge configuration.
 *
 * @example
 * ```ts
 * app.post('/webhooks/purchasely', express.raw({ type: 'application/json' }), purchaselyWebhook(bridge));
 * ```
 */
export function purchaselyWebhook(bridgeOrConfig: BridgeOrConfig): PurchaselyExpressHandler {
  const bridge = toBridge(bridgeOrConfig);
  return async (request, response) => {
    const body = rawBodyOf(request);
    if (body === 'parsed') {
      writeBridgeResponse(MISCONFIGURED, response);
      return;
    }
    let bytes: Uint8Array | string;
    try {
      bytes = body === 'stream' ? await readNodeBody(request, bridge.maxBodyBytes) : body;
    } catch {
      // The sender went away mid-upload: nothing to verify; answer like the bridge does for fetch.
      writeBridgeResponse(UNREADABLE, response);
      return;
    }
    // handle() never throws: every outcome, even an internal error, is an answer.
    writeBridgeResponse(
      await bridge.handle({
        method: request.method ?? 'GET',
        headers: request.headers,
        body: bytes,
      }),
      response,
    );
  };
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const MISCONFIGURED = {
  status: 500,
  headers: JSON_HEADERS,
  body: JSON.stringify({ error: 'misconfigured', message: MOUNT_HELP }),
};
const UNREADABLE = {
  status: 400,
  headers: JSON_HEADERS,
  body: JSON.stringify({
    error: 'invalid_body',
    code: 'unreadable_body',
    message: 'The request body could not be read.',
  }),
};

/** The raw body a parser left (a Buffer from express.raw, text from express.text), the stream, or 'parsed'. */
function rawBodyOf(request: NodeWebhookRequest): Uint8Array | string | 'stream' | 'parsed' {
  const { body } = request;
  if (body instanceof Uint8Array || typeof body === 'string') return body;
  // body-parser marks the requests it consumed; an unread stream is ours to read.
  const consumed = (request as { _body?: boolean })._body === true || request.readableEnded;
  return consumed ? 'parsed' : 'stream';
}

/**
 * The Express adapter (Express 4 and 5; any `node:http` server too).
 *
 * Mount it with no body parser in front, or behind `express.raw({ type: 'application/json' })`: the signature
 * covers the body's exact bytes. If `express.json()` already parsed the body, the bytes are gone, so the
 * bridge answers 500 and logs an error saying how to mount it (never re-serialising the parsed object, which
 * would not match the signature); Purchasely then re-delivers once it is fixed, so nothing is lost.
 *
 * Read by the adapter itself, a body must arrive within the bridge's `bodyReadTimeoutMs` (408 otherwise) and
 * a declared `Content-Length` over `maxBodyBytes` is answered 413 before the body is read. Behind
 * `express.raw()`, the parser reads the body, with its own `limit` and no time limit of its own: bound it
 * with the server's `requestTimeout`.
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
import type { BridgeRequest } from '@purchasely-customerio/core';
import { type BridgeOrConfig, toBridge } from './bridge-or-config.js';
import { readNodeBody, writeBridgeResponse } from './node-http.js';

/** The request as Express (or plain `node:http`) gives it: `body` is set when a body parser ran. */
export type NodeWebhookRequest = IncomingMessage & { body?: unknown };

/** An Express-compatible handler: it answers every request itself and never rejects, so it needs no `next`. */
export type PurchaselyExpressHandler = (
  request: NodeWebhookRequest,
  response: ServerResponse,
) => Promise<void>;

/**
 * What to do when a parser consumed the body. The adapter cannot tell reliably whether the parser was mounted
 * for the whole app or on this route (Express does not say which layer read the body), so the advice covers
 * both, each with its own fix.
 */
const ALREADY_PARSED_HELP =
  'The request body was already parsed (express.json() or another body parser ran before ' +
  'purchaselyWebhook()), so its exact bytes, which the Purchasely signature covers, are gone. ' +
  'If the parser is mounted for the whole app (app.use(express.json())): register the webhook route ' +
  'before app.use(express.json()), or make the parser skip this path (a path check around it, or its ' +
  '`type` option as a function returning false for this path). ' +
  "If the parser is mounted on this route: use express.raw({ type: 'application/json' }) on this route " +
  'instead.';

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
    const raw = rawBodyOf(request);
    const body: BridgeRequest['body'] =
      raw === 'parsed'
        ? { problem: 'already_parsed', help: ALREADY_PARSED_HELP }
        : raw === 'stream'
          ? await readNodeBody(request, bridge.maxBodyBytes, bridge.bodyReadTimeoutMs)
          : raw;
    // handle() never throws: every outcome, a body it could not be given included, is an answer.
    writeBridgeResponse(
      await bridge.handle({ method: request.method ?? 'GET', headers: request.headers, body }),
      response,
    );
  };
}

/** The raw body a parser left (a Buffer from express.raw, text from express.text), the stream, or 'parsed'. */
function rawBodyOf(request: NodeWebhookRequest): Uint8Array | string | 'stream' | 'parsed' {
  const { body } = request;
  if (body instanceof Uint8Array || typeof body === 'string') return body;
  // body-parser marks the requests it consumed; an unread stream is ours to read.
  const consumed = (request as { _body?: boolean })._body === true || request.readableEnded;
  return consumed ? 'parsed' : 'stream';
}

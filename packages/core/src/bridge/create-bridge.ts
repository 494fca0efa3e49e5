import { createAccepter } from './accept.js';
import { toResponse } from './answers.js';
import type { PurchaselyBridgeConfig } from './config.js';
import { createDeliverer, type Deliver } from './deliver.js';
import { HandlerRegistry } from './handlers.js';
import { createPersonLocks } from './person-locks.js';
import type { AcceptedEvent, DeliveryOutcome } from './queue.js';
import { readBodyWithLimit } from './read-body.js';
import type { HandOff } from './receive.js';
import { createReceiver } from './receive.js';
import { resolveConfig } from './resolve-config.js';
import { summarise } from './summarise.js';
import type { BridgeRequest, PurchaselyBridge } from './types.js';

/** Time kept, at the end of the delivery budget, for a request that waited for its rate-limit slot. */
const REQUEST_MARGIN_MS = 1000;

/**
 * Creates the bridge. The configuration is validated here (event names, overrides, user properties,
 * credentials), so mistakes fail at start-up rather than on the first webhook.
 *
 * Two halves. Receive (`handle`, `fetch`): verify the signature over the raw bytes → parse → policy
 * (selection, sandbox, identity) → claim the event in the store → run your `on()` handler → hand the event
 * to delivery → answer from the one table (`STATUS_BY_OUTCOME`). Deliver (`deliver`): update each person's
 * subscription state, compute their attributes from it, and send a batch of events to Customer.io. Without a
 * `queue` the bridge delivers inline and answers from the result (direct mode); with one, it answers 200 once
 * the queue has stored the event, and the queue's worker calls `deliver`.
 *
 * @example
 * ```ts
 * import { createPurchaselyBridge } from '@purchasely-customerio/core';
 *
 * const bridge = createPurchaselyBridge({
 *   webhookSecret: process.env.PURCHASELY_WEBHOOK_SECRET!,
 *   customerio: { siteId: process.env.CUSTOMERIO_SITE_ID!, apiKey: process.env.CUSTOMERIO_API_KEY!, region: 'eu' },
 *   names: { SUBSCRIPTION_RENEWED: 'subscription_renewed' },
 *   userProperties: { prefix: 'purchasely_' },
 * });
 * bridge.on('ACTIVATE', async (event) => grantAccess(event.user_id, event.product));
 *
 * export default { fetch: (request: Request) => bridge.fetch(request) };
 * ```
 */
export function createPurchaselyBridge(config: PurchaselyBridgeConfig): PurchaselyBridge {
  const resolved = resolveConfig(config);
  const { logger, maxBodyBytes, bodyReadTimeoutMs, deliveryBudgetMs } = resolved;
  const handlers = new HandlerRegistry();
  const deliver = createDeliverer(resolved, createPersonLocks());

  const handOff: HandOff = resolved.queue
    ? async (accepted) => {
        const queue = resolved.queue as NonNullable<typeof resolved.queue>;
        try {
          await queue.enqueue([accepted]);
          return { key: accepted.key, status: 'queued' };
        } catch (error) {
          return { key: accepted.key, status: 'queue_unavailable', error };
        }
      }
    : (accepted) => deliverWithinBudget(deliver, accepted, deliveryBudgetMs);
  const receive = createReceiver(resolved, handlers, handOff);
  const accept = createAccepter(resolved);

  const bridge: PurchaselyBridge = {
    maxBodyBytes,
    bodyReadTimeoutMs,
    async handle(request: BridgeRequest) {
      try {
        return toResponse(await receive(request));
      } catch (error) {
        // Only a bug lands here: answer non-200 so Purchasely keeps the event.
        logger.error({ err: summarise(error) }, 'purchasely-customerio: unexpected error');
        return {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: '{"error":"internal_error"}',
        };
      }
    },
    async fetch(request) {
      const declared = Number(request.headers.get('content-length'));
      const body: BridgeRequest['body'] =
        Number.isFinite(declared) && declared > maxBodyBytes
          ? { problem: 'too_large' }
          : await readBodyWithLimit(request.body, maxBodyBytes, bodyReadTimeoutMs);
      const answer = await bridge.handle({
        method: request.method,
        headers: request.headers,
        body,
      });
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    },
    deliver: (events, options) => deliver(events, options),
    accept: (body) => accept(body),
    on(eventName, handler) {
      handlers.add(eventName, handler);
      return bridge;
    },
  };
  return bridge;
}

/**
 * Direct mode: delivers one event within the budget. No request waits for a rate-limit slot past it (a
 * burst is answered 503 at once rather than queued), and when it runs out the delivery is aborted, so what
 * Purchasely was told to re-deliver is never also sent behind the answer.
 */
async function deliverWithinBudget(
  deliver: Deliver,
  accepted: AcceptedEvent,
  budgetMs: number,
): Promise<DeliveryOutcome> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<DeliveryOutcome>((resolve) => {
    timer = setTimeout(() => {
      const error = new Error(`delivery took longer than ${budgetMs} ms`);
      controller.abort(error);
      resolve({ key: accepted.key, status: 'retry', reason: 'timeout', error });
    }, budgetMs);
  });
  try {
    const delivery = deliver([accepted], {
      signal: controller.signal,
      // A slot taken at the very end would leave the request no time to complete: it would be aborted
      // in flight, after Customer.io may have applied it. Keep a margin for the request itself.
      deadline: Date.now() + budgetMs - Math.min(REQUEST_MARGIN_MS, budgetMs / 4),
    }).then(([outcome]) => outcome as DeliveryOutcome);
    return await Promise.race([delivery, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

import type { PurchaselyEventName } from '../events/index.js';
import type { HeadersLike } from '../signature/index.js';
import type { AcceptResult } from './accept.js';
import type { BridgeResponse } from './answers.js';
import type { DeliverOptions } from './deliver.js';
import type { PurchaselyEventHandler } from './handlers.js';
import type { AcceptedEvent, DeliveryOutcome } from './queue.js';
import type { BodyProblem } from './read-body.js';

/**
 * A request as any framework can give it: the raw body, byte for byte, or why the adapter could not read it
 * (answered from the same table as every other outcome).
 */
export interface BridgeRequest {
  method: string;
  headers: HeadersLike;
  body: string | Uint8Array | BodyProblem;
}

/** The Purchasely → Customer.io bridge. */
export interface PurchaselyBridge {
  /** Receive: a request in, the answer for Purchasely out. The framework-free core every adapter wraps. Never throws. */
  handle(request: BridgeRequest): Promise<BridgeResponse>;
  /** The same, for fetch runtimes (Next.js route handlers, Bun, Deno, Workers). */
  fetch(request: Request): Promise<Response>;
  /**
   * Deliver: sends accepted events (from any number of people) to Customer.io and says, per event, whether
   * it was delivered, should be retried, or failed for good. Queue engines call it with batches; in direct
   * mode `handle()` calls it for each event. Each person in one call gets one attribute update, computed
   * from their whole state. `{ events: false }` sends the attribute updates only. Never throws.
   *
   * @example
   * ```ts
   * const outcomes = await bridge.deliver(acceptedEvents, { events: false }); // attributes only
   * ```
   */
  deliver(events: readonly AcceptedEvent[], options?: DeliverOptions): Promise<DeliveryOutcome[]>;
  /**
   * Accept: a raw webhook body (from an archive, say) through the same policy as a live webhook (parse,
   * event selection, sandbox, identity) without a signature check, a claim, an `on()` handler or the
   * archive. An `accepted` event is ready for `deliver`; nothing is sent or stored. Never throws: an
   * `identify` resolver that throws gives `identify_failed`.
   *
   * @example
   * ```ts
   * const result = await bridge.accept(record.body);
   * if (result.status === 'accepted') await bridge.deliver([result.event], { events: false });
   * ```
   */
  accept(body: string | Uint8Array): Promise<AcceptResult>;
  /** The largest body accepted, in bytes; adapters stop reading a request body past it. */
  readonly maxBodyBytes: number;
  /** How long adapters wait for a whole request body, in ms, before answering 408. */
  readonly bodyReadTimeoutMs: number;
  /**
   * Registers your logic for one event (entitlements, say), called with the precise event type whether or
   * not the event is forwarded to Customer.io. One handler per event; registering twice throws.
   */
  on<Name extends PurchaselyEventName>(
    eventName: Name,
    handler: PurchaselyEventHandler<Name>,
  ): PurchaselyBridge;
}

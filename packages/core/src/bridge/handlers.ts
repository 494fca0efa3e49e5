import {
  isPurchaselyEventName,
  type PurchaselyEventName,
  type PurchaselyEventOf,
} from '../events/index.js';

/** Your own logic for one event, given its precise type. Make it idempotent: re-deliveries run it again. */
export type PurchaselyEventHandler<Name extends PurchaselyEventName> = (
  event: PurchaselyEventOf<Name>,
) => void | Promise<void>;

/** A registry of one handler per event name, refusing duplicates and unknown names. */
export class HandlerRegistry {
  readonly #handlers = new Map<string, (event: never) => void | Promise<void>>();

  add<Name extends PurchaselyEventName>(
    eventName: Name,
    handler: PurchaselyEventHandler<Name>,
  ): void {
    if (!isPurchaselyEventName(eventName)) {
      throw new TypeError(`on(${JSON.stringify(eventName)}): not a Purchasely server event.`);
    }
    if (typeof handler !== 'function')
      throw new TypeError(`on('${eventName}'): the handler must be a function.`);
    if (this.#handlers.has(eventName)) {
      throw new Error(
        `on('${eventName}'): a handler is already registered; one handler per event.`,
      );
    }
    this.#handlers.set(eventName, handler as (event: never) => void | Promise<void>);
  }

  /** Runs the event's handler, if any. */
  async run(event: { event_name: string }): Promise<void> {
    const handler = this.#handlers.get(event.event_name);
    if (handler) await handler(event as never);
  }
}

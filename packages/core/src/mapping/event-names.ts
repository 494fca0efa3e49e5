import { TRACK_LIMITS, utf8ByteLength } from '../customerio/limits.js';
import {
  isPurchaselyEventName,
  PURCHASELY_EVENT_NAMES,
  type PurchaselyEventName,
  purchaselyEventsInGroup,
} from '../events/index.js';
import { PurchaselyBridgeConfigError } from './errors.js';

/**
 * The events forwarded when `events` is not set: every lifecycle, offer and transactional event.
 *
 * `ACTIVATE` and `DEACTIVATE` are left out on purpose: Purchasely sends them alongside the lifecycle event of
 * the same moment (a purchase gives `ACTIVATE` and `SUBSCRIPTION_STARTED`, a renewal `ACTIVATE` and
 * `SUBSCRIPTION_RENEWED`), so forwarding both would trigger campaigns twice. They exist for backend
 * entitlements, which `bridge.on('ACTIVATE', …)` serves without forwarding them.
 */
export const DEFAULT_FORWARDED_EVENTS: readonly PurchaselyEventName[] =
  PURCHASELY_EVENT_NAMES.filter(
    (name) => !purchaselyEventsInGroup('entitlement').includes(name as never),
  );

/** Which events go to Customer.io, and under which name. */
export interface EventNamingOptions {
  /**
   * The events to forward: a list, or `'all'`. Defaults to {@link DEFAULT_FORWARDED_EVENTS}. Events not listed
   * are answered 200 and skipped, so Purchasely never holds a user's later events back for them.
   */
  events?: readonly PurchaselyEventName[] | 'all';
  /**
   * The name Customer.io receives for an event, as Purchasely's console lets you override it, e.g.
   * `{ SUBSCRIPTION_RENEWED: 'subscription_renewed' }`. Events without an override keep their Purchasely name.
   */
  names?: Partial<Record<PurchaselyEventName, string>>;
}

/** Answers, for a Purchasely event name, whether it is forwarded and under which Customer.io name. */
export interface EventNamer {
  /** The Customer.io event name, or `undefined` when the event is not forwarded. */
  nameFor(eventName: string): string | undefined;
  readonly forwarded: ReadonlySet<PurchaselyEventName>;
}

/**
 * Validates the event selection and name overrides once, at start-up, and returns the lookup the bridge uses
 * for every webhook. Unknown event names, empty names, names over Customer.io's 100-byte limit and names with
 * leading or trailing spaces (Customer.io would trim them, so campaigns would never match) are errors here.
 *
 * @example
 * ```ts
 * const namer = createEventNamer({
 *   events: ['SUBSCRIPTION_STARTED', 'SUBSCRIPTION_RENEWED'],
 *   names: { SUBSCRIPTION_RENEWED: 'Subscription renewed' },
 * });
 * namer.nameFor('SUBSCRIPTION_RENEWED'); // 'Subscription renewed'
 * namer.nameFor('TRIAL_STARTED'); // undefined: not forwarded
 * ```
 */
export function createEventNamer(options: EventNamingOptions = {}): EventNamer {
  const selection = options.events ?? DEFAULT_FORWARDED_EVENTS;
  const forwarded = new Set<PurchaselyEventName>(
    selection === 'all' ? PURCHASELY_EVENT_NAMES : checkEventList(selection),
  );
  const names = new Map<string, string>();
  for (const [eventName, name] of Object.entries(options.names ?? {})) {
    const setting = `names.${eventName}`;
    if (!isPurchaselyEventName(eventName)) {
      throw new PurchaselyBridgeConfigError(setting, unknownEventMessage(eventName));
    }
    if (name === undefined) continue;
    checkEventName(setting, name);
    names.set(eventName, name);
  }
  return {
    forwarded,
    nameFor(eventName) {
      if (!forwarded.has(eventName as PurchaselyEventName)) return undefined;
      return names.get(eventName) ?? eventName;
    },
  };
}

function checkEventList(events: readonly string[]): PurchaselyEventName[] {
  if (!Array.isArray(events)) {
    throw new PurchaselyBridgeConfigError('events', "expected a list of event names or 'all'.");
  }
  return events.map((eventName, index) => {
    if (!isPurchaselyEventName(eventName)) {
      throw new PurchaselyBridgeConfigError(`events[${index}]`, unknownEventMessage(eventName));
    }
    return eventName;
  });
}

function checkEventName(setting: string, name: unknown): void {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new PurchaselyBridgeConfigError(setting, 'an event name must be a non-empty string.');
  }
  if (name !== name.trim()) {
    throw new PurchaselyBridgeConfigError(
      setting,
      `"${name}" has leading or trailing spaces, which Customer.io trims: campaigns would not match it.`,
    );
  }
  const bytes = utf8ByteLength(name);
  if (bytes > TRACK_LIMITS.eventNameBytes) {
    throw new PurchaselyBridgeConfigError(
      setting,
      `"${name}" is ${bytes} bytes; Customer.io accepts event names of at most ${TRACK_LIMITS.eventNameBytes} bytes.`,
    );
  }
}

function unknownEventMessage(eventName: unknown): string {
  return `${JSON.stringify(eventName)} is not a Purchasely server event (see PURCHASELY_EVENT_NAMES).`;
}

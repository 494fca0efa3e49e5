import type { CustomerIoClient, CustomerIoClientOptions } from '../customerio/index.js';
import type { PurchaselyEvent, UnknownPurchaselyEvent } from '../events/index.js';
import type {
  EventNamingOptions,
  IdentifyResolver,
  UserPropertyOptions,
} from '../mapping/index.js';
import type { BridgeStore } from '../state/store.js';
import type { SkipReason } from './answers.js';
import type { WebhookArchive } from './archive.js';
import type { BridgeLogger } from './logger.js';
import type { DeliveryQueue } from './queue.js';

/** A Customer.io client, or the options to create one. */
export type CustomerIoSetting = CustomerIoClient | CustomerIoClientOptions;

/** What to do with events from the stores' sandboxes (`environment: 'SANDBOX'`). */
export type SandboxPolicy = 'ignore' | 'forward' | { customerio: CustomerIoSetting };

/** What a handler registered with `on()` may do when it throws. */
export type HandlerFailurePolicy = 'retry' | 'acknowledge';

/** Observability hooks. They run after the answer is decided and never change it; their errors are logged. */
export interface BridgeHooks {
  onForwarded?(info: {
    event: PurchaselyEvent | UnknownPurchaselyEvent;
    customerioEvent: string;
  }): void;
  onSkipped?(info: { event: PurchaselyEvent | UnknownPurchaselyEvent; reason: SkipReason }): void;
  onDuplicate?(info: { event: PurchaselyEvent | UnknownPurchaselyEvent; key: string }): void;
  /**
   * An event that could not be delivered. `willRetry: false` means it was acknowledged to Purchasely anyway
   * (Customer.io rejected it for good, or it fails the payload schema): store or alert on it here.
   */
  onFailed?(info: {
    event?: PurchaselyEvent | UnknownPurchaselyEvent;
    reason: string;
    willRetry: boolean;
    error: unknown;
  }): void;
}

/** Configuration of {@link createPurchaselyBridge}. */
export interface PurchaselyBridgeConfig extends EventNamingOptions {
  /** Purchasely's client shared secret; several during a rotation. */
  webhookSecret: string | readonly string[];
  /** Where production events go. */
  customerio: CustomerIoSetting;
  /** Person attributes set from each event; `false` sets none. Default: every documented property. */
  userProperties?: UserPropertyOptions | false;
  /** Resolves the Customer.io person of an event. Default: `user_id`, else an anonymous event. */
  identify?: IdentifyResolver;
  /** Sandbox events: `'ignore'` (default), `'forward'`, or `{ customerio }` for a separate workspace. */
  sandbox?: SandboxPolicy;
  /**
   * What the bridge remembers: event claims (so an event is delivered, and its handler run, once) and each
   * person's subscription state. Default: `createMemoryStore()`, for one process only; with several
   * instances, or to survive a restart, use a shared store.
   */
  store?: BridgeStore;
  /**
   * Delivers through a durable queue instead of inline: the bridge answers 200 once the queue has stored
   * the event, and the queue's worker calls `bridge.deliver()`. Default: none (direct mode).
   */
  queue?: DeliveryQueue;
  /**
   * Keeps every authentic, parsed webhook (its raw body, receive time, event id and name; never the secret
   * or the signature headers), written after the signature check and the parse and before the claim, so
   * duplicates and skipped events are archived too. The bridge answers only once the write resolves; if it
   * rejects, the answer is 503 `archive_unavailable` and Purchasely re-delivers. On Node,
   * `createFileArchive()` from `@purchasely-customerio/cli` writes rotated NDJSON files that
   * `purchasely-customerio backfill` reads. Default: none.
   */
  archive?: WebhookArchive;
  /** Largest body accepted, in bytes. Default 1 MB (Purchasely's bodies are about 1.5 KB). */
  maxBodyBytes?: number;
  /**
   * Time allowed to receive a whole request body, in ms, before answering 408 and closing the connection.
   * Default 5000: a 1.5 KB body arrives in milliseconds, and a sender trickling bytes must not hold a
   * connection for minutes.
   */
  bodyReadTimeoutMs?: number;
  /**
   * Time allowed to deliver one event in direct mode, rate-limit wait and retries included, before answering
   * 503. Default 7000 ms: Purchasely stops waiting at 10 s, and an answer it never reads counts as a failure
   * anyway.
   */
  deliveryBudgetMs?: number;
  /** Signature checks: tolerance (default 300 s), the deprecated header, an injectable clock. */
  signature?: { toleranceSeconds?: number; allowDeprecatedSignature?: boolean; now?: () => number };
  /** When an `on()` handler throws: `'retry'` (default: answer 500 so Purchasely re-delivers) or `'acknowledge'`. */
  onHandlerError?: HandlerFailurePolicy;
  /**
   * When the `identify` resolver throws (a database down, say): `'retry'` (default: answer 500 so Purchasely
   * re-delivers) or `'acknowledge'` (answer 200 `failed` without forwarding). The `onFailed` hook fires
   * either way, with reason `'identify_failed'`.
   */
  onIdentifyError?: HandlerFailurePolicy;
  /**
   * Where the bridge logs. Default: warnings and errors on the console, one line each, never a payload or a
   * secret. A pino (or pino-compatible) logger replaces it; `false` silences it.
   */
  logger?: BridgeLogger | false;
  hooks?: BridgeHooks;
}

import { type CustomerIoClient, createCustomerIoClient, eventIdFor } from '../customerio/index.js';
import type { PurchaselyEventName } from '../events/index.js';
import {
  type PurchaselyEvent,
  parsePurchaselyEvent,
  type UnknownPurchaselyEvent,
} from '../events/index.js';
import { wouldReachTransferReceiver } from '../mapping/identity.js';
import {
  createEventNamer,
  createUserPropertyMapper,
  type DeliveryPlan,
  defaultIdentify,
  type IdentifyAnswer,
  PurchaselyBridgeConfigError,
  planDelivery,
  purchaselyEventKey,
  toIdentity,
} from '../mapping/index.js';
import { assertOptionalFunction, resolveSecrets, resolveTolerance } from '../signature/config.js';
import { type HeadersLike, verifyPurchaselySignature } from '../signature/index.js';
import { type BridgeOutcome, type BridgeResponse, toResponse } from './answers.js';
import type { CustomerIoSetting, PurchaselyBridgeConfig } from './config.js';
import { type DeliveryResult, deliver } from './deliver.js';
import { HandlerRegistry, type PurchaselyEventHandler } from './handlers.js';
import { createMemoryIdempotencyStore } from './idempotency.js';
import { createConsoleLogger, silentLogger } from './logger.js';
import { type BodyProblem, byteLength, readBodyWithLimit } from './read-body.js';

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
  /** The framework-free core every adapter wraps: a request in, the answer for Purchasely out. Never throws. */
  handle(request: BridgeRequest): Promise<BridgeResponse>;
  /** The same, for fetch runtimes (Next.js route handlers, Bun, Deno, Workers). */
  fetch(request: Request): Promise<Response>;
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

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_DELIVERY_BUDGET_MS = 7000;
const DEFAULT_BODY_READ_TIMEOUT_MS = 5000;
/** Time kept, at the end of the delivery budget, for a request that waited for its rate-limit slot. */
const REQUEST_MARGIN_MS = 1000;

type AnyEvent = PurchaselyEvent | UnknownPurchaselyEvent;

/**
 * Creates the bridge. The configuration is validated here (event names, overrides, user properties,
 * credentials), so mistakes fail at start-up rather than on the first webhook.
 *
 * Per request: verify the signature over the raw bytes → parse → skip what is not to be forwarded
 * (disabled events, sandbox, no identity) → deliver once per `event_id` → run your `on()` handler → answer
 * with the status of the answer table (see `STATUS_BY_OUTCOME`). Only a 200 acknowledges; 503 when
 * Customer.io cannot take the event yet, so Purchasely re-delivers and nothing is lost.
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
  const { secrets, toleranceSeconds } = checkSignatureSettings(config);
  const namer = createEventNamer(config);
  const toAttributes =
    config.userProperties === false ? () => ({}) : createUserPropertyMapper(config.userProperties);
  const identify = config.identify ?? defaultIdentify;
  const deliveryBudgetMs = positive(
    config.deliveryBudgetMs,
    DEFAULT_DELIVERY_BUDGET_MS,
    'deliveryBudgetMs',
  );
  const maxBodyBytes = positive(config.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes');
  const bodyReadTimeoutMs = positive(
    config.bodyReadTimeoutMs,
    DEFAULT_BODY_READ_TIMEOUT_MS,
    'bodyReadTimeoutMs',
  );
  const production = toClient(config.customerio, 'customerio', deliveryBudgetMs);
  const sandbox = config.sandbox ?? 'ignore';
  const sandboxClient =
    typeof sandbox === 'object'
      ? toClient(sandbox.customerio, 'sandbox.customerio', deliveryBudgetMs)
      : undefined;
  if (typeof sandbox !== 'object' && sandbox !== 'ignore' && sandbox !== 'forward') {
    throw new PurchaselyBridgeConfigError(
      'sandbox',
      "expected 'ignore', 'forward' or { customerio }.",
    );
  }
  const idempotency =
    config.idempotency === false
      ? undefined
      : (config.idempotency ?? createMemoryIdempotencyStore());
  const handlerPolicy = config.onHandlerError ?? 'retry';
  const identifyPolicy = config.onIdentifyError ?? 'retry';
  const logger = config.logger === false ? silentLogger : (config.logger ?? createConsoleLogger());
  const hooks = config.hooks ?? {};
  const handlers = new HandlerRegistry();
  const inFlight = new Map<string, Promise<BridgeOutcome>>();

  const notify = <Hook extends keyof typeof hooks>(
    hook: Hook,
    info: Parameters<NonNullable<(typeof hooks)[Hook]>>[0],
  ) => {
    const report = (error: unknown) =>
      logger.error({ hook, err: summarise(error) }, 'purchasely-customerio: a hook threw');
    try {
      const result: unknown = (hooks[hook] as ((value: typeof info) => unknown) | undefined)?.(
        info,
      );
      // An async hook (allowed by its `void` type) must not become an unhandled rejection, which ends
      // the Node process by default.
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        Promise.resolve(result).catch(report);
      }
    } catch (error) {
      report(error);
    }
  };

  async function decide(request: BridgeRequest): Promise<BridgeOutcome> {
    if (request.method.toUpperCase() !== 'POST') return { kind: 'method_not_allowed' };
    const { body } = request;
    if (typeof body === 'object' && !(body instanceof Uint8Array)) return unreadBody(body);
    if (byteLength(body) > maxBodyBytes)
      return { kind: 'payload_too_large', maxBytes: maxBodyBytes };

    const verification = await verifyPurchaselySignature({
      body,
      headers: request.headers,
      secret: secrets,
      ...config.signature,
      toleranceSeconds,
    });
    if (!verification.ok) {
      logger.warn(
        { reason: verification.reason },
        `purchasely-customerio: rejected a webhook: ${verification.message}`,
      );
      return { kind: 'invalid_signature', reason: verification.reason };
    }

    const parsed = parsePurchaselyEvent(body, {
      onWarning: (warning) =>
        logger.warn({ warning: warning.code }, `purchasely-customerio: ${warning.message}`),
    });
    if (!parsed.ok) {
      const { code, message } = parsed.error;
      logger.error({ code }, `purchasely-customerio: ${message}`);
      if (code === 'invalid_payload') {
        // Signed, JSON, but not the v3 shape: re-delivery cannot fix it and would block the user's queue.
        notify('onFailed', { reason: 'invalid_payload', willRetry: false, error: parsed.error });
        return { kind: 'rejected', reason: 'invalid_payload' };
      }
      return { kind: 'invalid_body', code, message };
    }
    const event = parsed.event;
    const key = purchaselyEventKey(event);
    const pending = inFlight.get(key);
    if (pending) return asDuplicate(await pending, event, key);

    const outcome = processEvent(event, parsed.known, key).finally(() => inFlight.delete(key));
    inFlight.set(key, outcome);
    return outcome;
  }

  function unreadBody(body: BodyProblem): BridgeOutcome {
    switch (body.problem) {
      case 'too_large':
        return { kind: 'payload_too_large', maxBytes: maxBodyBytes };
      case 'timed_out':
        logger.warn(
          { timeoutMs: bodyReadTimeoutMs },
          `purchasely-customerio: the request body did not arrive within ${bodyReadTimeoutMs} ms`,
        );
        return { kind: 'body_timed_out', timeoutMs: bodyReadTimeoutMs };
      case 'unreadable':
        logger.warn({}, 'purchasely-customerio: could not read the request body');
        return {
          kind: 'invalid_body',
          code: 'unreadable_body',
          message: 'The request body could not be read.',
        };
      case 'already_parsed':
        logger.error({}, `purchasely-customerio: ${body.help}`);
        return { kind: 'body_already_parsed', help: body.help };
    }
  }

  function asDuplicate(first: BridgeOutcome, event: AnyEvent, key: string): BridgeOutcome {
    if (first.kind !== 'forwarded') return first;
    notify('onDuplicate', { event, key });
    return { kind: 'duplicate', eventId: publicEventId(event, key), eventName: event.event_name };
  }

  async function processEvent(
    event: AnyEvent,
    known: boolean,
    key: string,
  ): Promise<BridgeOutcome> {
    const ids = { eventId: publicEventId(event, key), eventName: event.event_name };
    if (idempotency && (await idempotency.has(key))) {
      notify('onDuplicate', { event, key });
      logger.info(ids, 'purchasely-customerio: duplicate delivery acknowledged');
      return { kind: 'duplicate', ...ids };
    }

    const forwarding = await forward(event, known, ids);
    if (forwarding.kind === 'customerio_unavailable') return forwarding;

    try {
      await handlers.run(event);
    } catch (error) {
      logger.error(
        { ...ids, err: summarise(error) },
        'purchasely-customerio: an on() handler threw',
      );
      notify('onFailed', {
        event,
        reason: 'handler_failed',
        willRetry: handlerPolicy === 'retry',
        error,
      });
      if (handlerPolicy === 'retry') return { kind: 'handler_failed', ...ids };
    }

    if (idempotency && (forwarding.kind === 'forwarded' || forwarding.kind === 'rejected')) {
      await idempotency.remember(key);
    }
    return forwarding;
  }

  async function forward(
    event: AnyEvent,
    known: boolean,
    ids: { eventId: string; eventName: string },
  ): Promise<BridgeOutcome> {
    const skip = (reason: Extract<BridgeOutcome, { kind: 'skipped' }>['reason']): BridgeOutcome => {
      notify('onSkipped', { event, reason });
      logger.info(
        { ...ids, reason },
        'purchasely-customerio: event acknowledged without forwarding',
      );
      return { kind: 'skipped', reason, ...ids };
    };
    if (!known) return skip('unknown_event');
    const customerioEvent = namer.nameFor(event.event_name);
    if (customerioEvent === undefined) return skip('event_disabled');
    const client = event.environment === 'SANDBOX' ? sandboxClientFor() : production;
    if (client === undefined) return skip('sandbox');
    let answer: IdentifyAnswer;
    try {
      answer = await identify(event);
    } catch (error) {
      return identifyFailed(event, ids, error);
    }
    const identity = toIdentity(answer, event);
    if (identity.kind === 'none') return skip('no_identity');
    if (wouldReachTransferReceiver(event, identity)) return skip('transfer_giver');

    const plan = planDelivery({
      event,
      eventName: customerioEvent,
      identity,
      attributes: toAttributes(event),
    });
    logger.debug({ ...ids, plan }, 'purchasely-customerio: delivering');
    const result = await deliverWithinBudget(client, plan, deliveryBudgetMs);
    if (result.ok) {
      notify('onForwarded', { event, customerioEvent, plan });
      logger.info({ ...ids, customerioEvent }, 'purchasely-customerio: forwarded');
      if (plan.kind === 'person' && plan.anonymousMerge?.supported === false) {
        return mergeUnsupported(event, { ...ids, customerioEvent });
      }
      return { kind: 'forwarded', ...ids, customerioEvent };
    }
    notify('onFailed', {
      event,
      reason: result.permanent ? 'customerio_rejected' : result.reason,
      willRetry: !result.permanent,
      error: result.error,
    });
    if (result.permanent) {
      logger.error(
        { ...ids, err: summarise(result.error) },
        'purchasely-customerio: Customer.io rejected the event; acknowledged so later events flow',
      );
      return { kind: 'rejected', reason: 'customerio_rejected', ...ids };
    }
    logger.warn(
      { ...ids, reason: result.reason, err: summarise(result.error) },
      'purchasely-customerio: Customer.io unavailable; Purchasely will re-deliver',
    );
    return { kind: 'customerio_unavailable', reason: result.reason };
  }

  function identifyFailed(
    event: AnyEvent,
    ids: { eventId: string; eventName: string },
    error: unknown,
  ): BridgeOutcome {
    const willRetry = identifyPolicy === 'retry';
    logger.error(
      { ...ids, err: summarise(error), willRetry },
      willRetry
        ? 'purchasely-customerio: the identify resolver threw; Purchasely will re-deliver'
        : 'purchasely-customerio: the identify resolver threw; acknowledged without forwarding',
    );
    notify('onFailed', { event, reason: 'identify_failed', willRetry, error });
    return willRetry
      ? { kind: 'identify_failed', ...ids }
      : { kind: 'rejected', reason: 'identify_failed', ...ids };
  }

  /**
   * Delivered, but the anonymous history could not be joined: Customer.io documents that merge on v1 only,
   * and v1 reads this id as an email or a cio_id. Said in the log, the hook and the answer.
   */
  function mergeUnsupported(
    event: AnyEvent,
    ids: { eventId: string; eventName: string; customerioEvent: string },
  ): BridgeOutcome {
    const message =
      "the person's attributes and event were delivered, but their anonymous history was not merged: " +
      "Customer.io documents that merge on Track v1 only, which reads an id containing '@' as an email " +
      "and one starting with 'cio_' as a cio_id, so it would reach another person";
    logger.warn(ids, `purchasely-customerio: ${message}`);
    notify('onFailed', {
      event,
      reason: 'anonymous_merge_unsupported',
      willRetry: false,
      error: new Error(message),
    });
    return { kind: 'forwarded', ...ids, anonymousMerge: 'unsupported' };
  }

  function sandboxClientFor(): CustomerIoClient | undefined {
    if (sandbox === 'forward') return production;
    return sandboxClient;
  }

  const bridge: PurchaselyBridge = {
    maxBodyBytes,
    bodyReadTimeoutMs,
    async handle(request) {
      try {
        return toResponse(await decide(request));
      } catch (error) {
        // Only a bug or a throwing resolver lands here: answer non-200 so Purchasely keeps the event.
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
    on(eventName, handler) {
      handlers.add(eventName, handler);
      return bridge;
    },
  };
  return bridge;
}

/**
 * The event id shown in answers and logs: Purchasely's `event_id`, or, for old payloads without one, the
 * Customer.io event id (a ULID) instead of the fallback key, which is built from the user id and the store
 * transaction ids: payload that must not reach a log above `debug`.
 */
function publicEventId(event: AnyEvent, key: string): string {
  if (typeof event.event_id === 'string' && event.event_id !== '') return event.event_id;
  return eventIdFor(key, event.event_created_at_ms);
}

/**
 * The signature settings, checked once at start-up: a wrong one would otherwise fail every webhook. The
 * verifier's own checks are reused; their errors name the setting and never a secret's value.
 */
function checkSignatureSettings(config: PurchaselyBridgeConfig): {
  secrets: readonly string[];
  toleranceSeconds: number;
} {
  const secrets = asConfigError('webhookSecret', () => resolveSecrets(config.webhookSecret));
  if (secrets.some((secret) => secret.trim() === '')) {
    throw new PurchaselyBridgeConfigError(
      'webhookSecret',
      "a secret is blank: set Purchasely's client shared secret (an unset environment variable is the usual cause).",
    );
  }
  const toleranceSeconds = asConfigError('signature.toleranceSeconds', () =>
    resolveTolerance(config.signature?.toleranceSeconds),
  );
  asConfigError('signature.now', () => assertOptionalFunction(config.signature?.now, 'now'));
  return { secrets, toleranceSeconds };
}

function asConfigError<T>(setting: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new PurchaselyBridgeConfigError(setting, message, { cause: error });
  }
}

function positive(value: unknown, fallback: number, setting: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new PurchaselyBridgeConfigError(setting, 'expected a positive number.');
  }
  return value;
}

function toClient(setting: CustomerIoSetting, name: string, budgetMs: number): CustomerIoClient {
  if (typeof setting !== 'object' || setting === null) {
    throw new PurchaselyBridgeConfigError(
      name,
      'expected Customer.io client options ({ siteId, apiKey, region }) or a client.',
    );
  }
  if ('batch' in setting && typeof setting.batch === 'function') return setting;
  const options = setting as Exclude<CustomerIoSetting, CustomerIoClient>;
  try {
    // Each request's retries end inside the delivery budget; withBudget() bounds the whole delivery (two
    // requests on the merge path), so the answer reaches Purchasely before its 10 s timeout.
    return createCustomerIoClient({
      timeoutMs: Math.min(3000, budgetMs),
      ...options,
      retry: options.retry === false ? false : { budgetMs: budgetMs - 500, ...options.retry },
    });
  } catch (error) {
    throw new PurchaselyBridgeConfigError(
      name,
      error instanceof Error ? error.message : String(error),
      { cause: error },
    );
  }
}

/**
 * Delivers within the budget: no request waits for a rate-limit slot past it (a burst is answered 503 at
 * once rather than queued), and when it runs out the delivery is aborted, so what Purchasely was told to
 * re-deliver is never also sent behind the answer.
 */
async function deliverWithinBudget(
  client: CustomerIoClient,
  plan: DeliveryPlan,
  budgetMs: number,
): Promise<DeliveryResult> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<DeliveryResult>((resolve) => {
    timer = setTimeout(() => {
      const error = new Error(`delivery took longer than ${budgetMs} ms`);
      controller.abort(error);
      resolve({ ok: false, permanent: false, reason: 'timeout', error });
    }, budgetMs);
  });
  try {
    const delivery = deliver(client, plan, {
      signal: controller.signal,
      // A slot taken at the very end would leave the request no time to complete: it would be aborted
      // in flight, after Customer.io may have applied it. Keep a margin for the request itself.
      deadline: Date.now() + budgetMs - Math.min(REQUEST_MARGIN_MS, budgetMs / 4),
    });
    return await Promise.race([delivery, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function summarise(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}

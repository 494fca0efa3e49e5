import {
  type PurchaselyEvent,
  parsePurchaselyEvent,
  type UnknownPurchaselyEvent,
} from '../events/index.js';
import type { BridgeOutcome, SkipReason } from './answers.js';
import { toArchiveRecord } from './archive.js';
import type { HandlerRegistry } from './handlers.js';
import { createNotifier } from './notify.js';
import { decide, type EventIds, eventIdsOf } from './policy.js';
import type { AcceptedEvent, DeliveryOutcome } from './queue.js';
import type { BodyProblem } from './read-body.js';
import { byteLength } from './read-body.js';
import type { ResolvedConfig } from './resolve-config.js';
import { summarise } from './summarise.js';
import type { BridgeRequest } from './types.js';

type AnyEvent = PurchaselyEvent | UnknownPurchaselyEvent;
type Ids = { eventId: string; eventName: string };

/** What receive does with an accepted event: deliver it inline (direct mode) or enqueue it. */
export type HandOff = (accepted: AcceptedEvent) => Promise<HandOffResult>;
export type HandOffResult = DeliveryOutcome | { key: string; status: 'queued' } | QueueFailure;
type QueueFailure = { key: string; status: 'queue_unavailable'; error: unknown };

/** Time a claim outlives the delivery budget: a crashed holder's event is claimable again after it. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Creates receive: the HTTP half of the bridge, a request in and an outcome out, read top to bottom:
 * verify → parse → archive (when configured) → policy (selection, sandbox, identity) → claim → your `on()`
 * handler → hand off → outcome.
 * Concurrent copies of one event in this process share the first one's outcome; across processes the
 * store's claim lets one through.
 */
export function createReceiver(
  config: ResolvedConfig,
  handlers: HandlerRegistry,
  handOff: HandOff,
): (request: BridgeRequest) => Promise<BridgeOutcome> {
  const { logger, store } = config;
  const notify = createNotifier(config.hooks, logger);
  const inFlight = new Map<string, Promise<BridgeOutcome>>();
  const leaseMs = config.deliveryBudgetMs + LEASE_MARGIN_MS;

  return async function receive(request) {
    if (request.method.toUpperCase() !== 'POST') return { kind: 'method_not_allowed' };
    const { body } = request;
    if (typeof body === 'object' && !(body instanceof Uint8Array)) return unreadBody(body);
    if (byteLength(body) > config.maxBodyBytes) {
      return { kind: 'payload_too_large', maxBytes: config.maxBodyBytes };
    }

    const verification = await config.verifier.verify({ body, headers: request.headers });
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
      if (code !== 'invalid_payload') return { kind: 'invalid_body', code, message };
      // Signed, JSON, but not the v3 shape: re-delivery cannot fix it and would block the user's queue.
      notify('onFailed', { reason: 'invalid_payload', willRetry: false, error: parsed.error });
      return { kind: 'rejected', reason: 'invalid_payload' };
    }

    const eventIds = eventIdsOf(parsed.event);
    const { key } = eventIds;
    const archived = await archive(body, parsed.event, eventIds.eventId);
    if (archived) return archived;
    const pending = inFlight.get(key);
    if (pending) return asDuplicate(await pending, parsed.event, key);
    const outcome = processEvent(parsed.event, parsed.known, eventIds).finally(() =>
      inFlight.delete(key),
    );
    inFlight.set(key, outcome);
    return outcome;
  };

  async function processEvent(
    event: AnyEvent,
    known: boolean,
    eventIds: EventIds,
  ): Promise<BridgeOutcome> {
    const { key } = eventIds;
    const ids = { eventId: eventIds.eventId, eventName: event.event_name };
    const policy = await decide(config, event, known, eventIds);
    if (policy.kind === 'identify_failed') return identifyFailed(event, ids, policy.error);
    if (policy.kind === 'skip') {
      // Skipped events are not claimed (enabling one later forwards its re-delivery); handlers still run.
      const failed = await runHandler(event, ids);
      return failed ?? skip(event, ids, policy.reason);
    }

    let claim: Awaited<ReturnType<typeof store.claim>>;
    try {
      claim = await store.claim(key, { leaseMs });
    } catch (error) {
      return storeFailed(event, ids, error);
    }
    if (claim.status === 'done') return duplicate(event, key, ids);
    if (claim.status === 'in_progress') {
      logger.info(
        ids,
        'purchasely-customerio: already being processed elsewhere; Purchasely will re-deliver',
      );
      return { kind: 'in_progress', ...ids };
    }
    // A store that fails here is not the event's failure: an unreleased claim lapses with its lease, an
    // uncompleted one lets a re-delivery through, which Customer.io deduplicates by the event's id.
    const settle = async (done: boolean) => {
      try {
        await (done ? store.complete(key, claim.token) : store.release(key, claim.token));
      } catch (error) {
        logger.warn(
          { ...ids, err: summarise(error) },
          `purchasely-customerio: the store could not ${done ? 'complete' : 'release'} the event's claim`,
        );
      }
    };

    const handlerFailed = await runHandler(event, ids);
    if (handlerFailed) {
      await settle(false);
      return handlerFailed;
    }
    const result = await handOff(policy.accepted);
    switch (result.status) {
      case 'delivered':
        await settle(true);
        return {
          kind: 'forwarded',
          ...ids,
          customerioEvent: policy.accepted.customerioEvent,
          ...(result.anonymousMerge === undefined ? {} : { anonymousMerge: result.anonymousMerge }),
        };
      case 'queued':
        await settle(true);
        return { kind: 'queued', ...ids, customerioEvent: policy.accepted.customerioEvent };
      case 'failed':
        await settle(true);
        return { kind: 'rejected', reason: 'customerio_rejected', ...ids };
      case 'retry':
        await settle(false);
        return { kind: 'customerio_unavailable', reason: result.reason };
      case 'queue_unavailable':
        await settle(false);
        logger.error(
          { ...ids, err: summarise(result.error) },
          'purchasely-customerio: the queue did not take the event; Purchasely will re-deliver',
        );
        notify('onFailed', {
          event,
          reason: 'queue_unavailable',
          willRetry: true,
          error: result.error,
        });
        return { kind: 'queue_unavailable', ...ids };
    }
  }

  /**
   * Archives every authentic, parsed webhook (duplicates and skipped events too: the archive is what was
   * received) before anything else happens to it. A failed write is not acknowledged: the user made the
   * archive a source of truth, and a 503 makes Purchasely re-deliver the webhook until it is archived.
   */
  async function archive(
    body: string | Uint8Array,
    event: AnyEvent,
    eventId: string,
  ): Promise<BridgeOutcome | undefined> {
    if (config.archive === undefined) return undefined;
    const ids = { eventId, eventName: event.event_name };
    try {
      await config.archive.write(toArchiveRecord(body, event, ids.eventId, Date.now()));
      return undefined;
    } catch (error) {
      logger.error(
        { ...ids, err: summarise(error) },
        'purchasely-customerio: the archive did not take the webhook; Purchasely will re-deliver',
      );
      notify('onFailed', { event, reason: 'archive_unavailable', willRetry: true, error });
      return { kind: 'archive_unavailable', ...ids };
    }
  }

  /** Runs your `on()` handler; a failure is an outcome when the policy says to retry. */
  async function runHandler(event: AnyEvent, ids: Ids): Promise<BridgeOutcome | undefined> {
    try {
      await handlers.run(event);
      return undefined;
    } catch (error) {
      const willRetry = config.onHandlerError === 'retry';
      logger.error(
        { ...ids, err: summarise(error) },
        'purchasely-customerio: an on() handler threw',
      );
      notify('onFailed', { event, reason: 'handler_failed', willRetry, error });
      return willRetry ? { kind: 'handler_failed', ...ids } : undefined;
    }
  }

  function storeFailed(event: AnyEvent, ids: Ids, error: unknown): BridgeOutcome {
    logger.error(
      { ...ids, err: summarise(error) },
      'purchasely-customerio: the store is unavailable; Purchasely will re-deliver',
    );
    notify('onFailed', { event, reason: 'store_unavailable', willRetry: true, error });
    return { kind: 'store_unavailable', ...ids };
  }

  function identifyFailed(event: AnyEvent, ids: Ids, error: unknown): BridgeOutcome {
    const willRetry = config.onIdentifyError === 'retry';
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

  function skip(event: AnyEvent, ids: Ids, reason: SkipReason): BridgeOutcome {
    notify('onSkipped', { event, reason });
    logger.info({ ...ids, reason }, 'purchasely-customerio: event acknowledged without forwarding');
    return { kind: 'skipped', reason, ...ids };
  }

  function duplicate(event: AnyEvent, key: string, ids: Ids): BridgeOutcome {
    notify('onDuplicate', { event, key });
    logger.info(ids, 'purchasely-customerio: duplicate delivery acknowledged');
    return { kind: 'duplicate', ...ids };
  }

  function asDuplicate(first: BridgeOutcome, event: AnyEvent, key: string): BridgeOutcome {
    if (first.kind !== 'forwarded' && first.kind !== 'queued') return first;
    return duplicate(event, key, { eventId: first.eventId, eventName: first.eventName });
  }

  function unreadBody(body: BodyProblem): BridgeOutcome {
    switch (body.problem) {
      case 'too_large':
        return { kind: 'payload_too_large', maxBytes: config.maxBodyBytes };
      case 'timed_out':
        logger.warn(
          { timeoutMs: config.bodyReadTimeoutMs },
          `purchasely-customerio: the request body did not arrive within ${config.bodyReadTimeoutMs} ms`,
        );
        return { kind: 'body_timed_out', timeoutMs: config.bodyReadTimeoutMs };
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
}

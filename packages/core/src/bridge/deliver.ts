import {
  type CustomerIoCallOptions,
  isCustomerIoBatchError,
  isCustomerIoValidationError,
  type TrackV2Operation,
} from '../customerio/index.js';
import type { CustomerIoSender } from '../customerio/sender.js';
import {
  type DeliveryPlan,
  planAnonymousMerge,
  planEvent,
  toBatchOperations,
  toStateUpdates,
} from '../mapping/index.js';
import { viewPerson } from '../mapping/person-view.js';
import { classifyDeliveryFailure } from './classify-failure.js';
import { createNotifier } from './notify.js';
import type { PersonLocks } from './person-locks.js';
import type { AcceptedEvent, DeliveryOutcome } from './queue.js';
import type { ResolvedConfig } from './resolve-config.js';
import { summarise } from './summarise.js';

/**
 * Options of `bridge.deliver`: the Customer.io call limits (`deadline`, `signal`), and whether events are sent.
 *
 * @example
 * ```ts
 * const options: DeliverOptions = { events: false, deadline: Date.now() + 60_000 };
 * const outcomes = await bridge.deliver(acceptedEvents, options);
 * ```
 */
export interface DeliverOptions extends CustomerIoCallOptions {
  /**
   * `false` sends each person's attribute update (and the merge of their anonymous history) but no
   * Customer.io events: what a backfill of old data wants, since events older than 72 hours trigger no
   * campaign. An anonymous event then has nothing to send (Customer.io keeps no attributes for anonymous
   * people): its outcome is `delivered` with `nothingSent: true`. Default `true`.
   */
  events?: boolean;
}

/** Delivers accepted events, from any number of people, with one outcome per event, in input order. */
export type Deliver = (
  events: readonly AcceptedEvent[],
  options?: DeliverOptions,
) => Promise<DeliveryOutcome[]>;

type PersonPlan = Extract<DeliveryPlan, { kind: 'person' }>;

/** One person's part of a delivery: their events and what goes to Customer.io for them. */
interface PersonGroup {
  personKey: string;
  events: AcceptedEvent[];
  plan?: PersonPlan;
}

/**
 * Creates deliver: the Customer.io half of the bridge.
 *
 * Per workspace, the events' people are locked (in this process), each person's subscription state is
 * merged atomically in the store with their events, and their attributes are computed from the whole
 * state; then every person's attribute update and events go out in as few `/api/v2/batch` requests as
 * Customer.io's limits allow, followed by the documented v1 merge for people with anonymous history, and a
 * v1 anonymous event for each anonymous user. Every 207 failure, refusal and transient error is mapped back
 * to the events it concerns: `delivered`, `retry` (transient: send again later) or `failed` (Customer.io
 * will never take it as it is).
 */
export function createDeliverer(config: ResolvedConfig, locks: PersonLocks): Deliver {
  const { store, toAttributes, logger } = config;
  const notify = createNotifier(config.hooks, logger);

  return async (events, options = {}) => {
    const { events: sendEvents = true, ...limits } = options;
    const outcomes = new Map<string, DeliveryOutcome>();
    const byWorkspace = new Map<CustomerIoSender, AcceptedEvent[]>();
    for (const event of events) {
      const client = config.workspaces[event.workspace];
      if (client === undefined) {
        // Only a queue filled under another configuration gets here: the event can't go anywhere now.
        outcomes.set(event.key, {
          key: event.key,
          status: 'failed',
          reason: 'customerio_rejected',
          error: new Error(`no Customer.io workspace is configured for ${event.workspace} events`),
        });
        continue;
      }
      const workspaceEvents = byWorkspace.get(client) ?? [];
      workspaceEvents.push(event);
      byWorkspace.set(client, workspaceEvents);
    }
    for (const [client, workspaceEvents] of byWorkspace) {
      for (const outcome of await deliverToWorkspace(client, workspaceEvents, limits, sendEvents)) {
        outcomes.set(outcome.key, outcome);
      }
    }
    const results = events.map((event) => outcomes.get(event.key) as DeliveryOutcome);
    events.forEach((event, index) => {
      report(event, results[index] as DeliveryOutcome);
    });
    return results;
  };

  async function deliverToWorkspace(
    client: CustomerIoSender,
    events: readonly AcceptedEvent[],
    limits: CustomerIoCallOptions,
    sendEvents: boolean,
  ): Promise<DeliveryOutcome[]> {
    const people = new Map<string, PersonGroup>();
    const anonymous: AcceptedEvent[] = [];
    for (const event of events) {
      if (event.identity.kind === 'anonymous') {
        anonymous.push(event);
        continue;
      }
      const personKey = personKeyOf(event.identity.identifier);
      const group = people.get(personKey) ?? { personKey, events: [] };
      group.events.push(event);
      people.set(personKey, group);
    }
    const outcomes: DeliveryOutcome[] = [];
    await locks.withLocks([...people.keys()], async () => {
      try {
        for (const group of people.values()) group.plan = await planPerson(group, sendEvents);
      } catch (error) {
        // The store failed: nothing was sent; every person event is tried again later.
        for (const group of people.values()) outcomes.push(...retryAll(group.events, error));
        return;
      }
      outcomes.push(...(await sendPeople(client, [...people.values()], limits)));
    });
    for (const event of anonymous) {
      outcomes.push(
        sendEvents
          ? await sendAnonymous(client, event, limits)
          : { key: event.key, status: 'delivered', nothingSent: true },
      );
    }
    return outcomes;
  }

  async function planPerson(group: PersonGroup, sendEvents: boolean): Promise<PersonPlan> {
    // Oldest first, as Customer.io should see them; the plan's events follow this order.
    group.events.sort((a, b) => a.event.event_created_at_ms - b.event.event_created_at_ms);
    const updates = group.events.flatMap((event) => toStateUpdates(event.event, event.key));
    const state = await store.mergeSubscriptions(group.personKey, updates);
    const first = group.events[0] as AcceptedEvent & { identity: { kind: 'person' } };
    const { identifier } = first.identity;
    const anonymousIds = [
      ...new Set(
        group.events.flatMap((event) =>
          event.identity.kind === 'person' ? event.identity.anonymousIds : [],
        ),
      ),
    ];
    // Read once: the attributes and the update's timestamp both come from it.
    const view = viewPerson(state);
    const merge = planAnonymousMerge(identifier, anonymousIds);
    return {
      kind: 'person',
      identifier,
      attributes: toAttributes(view),
      timestamp: Math.floor((view.version?.at ?? Date.now()) / 1000),
      events: sendEvents
        ? group.events.map((event) => planEvent(event.event, event.customerioEvent, event.key))
        : [],
      ...(merge === undefined ? {} : { anonymousMerge: merge }),
    };
  }

  /**
   * Sends every person's operations in one batch call (split to Customer.io's limits by the client). An
   * operation the client refuses before sending (over a limit) fails its own events, and the rest is sent
   * without it.
   */
  async function sendPeople(
    client: CustomerIoSender,
    groups: PersonGroup[],
    limits: CustomerIoCallOptions,
  ): Promise<DeliveryOutcome[]> {
    const outcomes = new Map<string, DeliveryOutcome>();
    let pending = groups;
    for (;;) {
      const operations: TrackV2Operation[] = [];
      const owners: string[][] = [];
      for (const group of pending) {
        const plan = group.plan as PersonPlan;
        const [identify, ...eventOperations] = toBatchOperations(plan);
        operations.push(identify);
        owners.push(group.events.map((event) => event.key));
        eventOperations.forEach((operation, index) => {
          operations.push(operation);
          owners.push([group.events[index]?.key ?? '']);
        });
      }
      if (operations.length === 0) break;
      for (const group of pending) {
        // The payload may be logged at debug only.
        logger.debug(
          { person: group.personKey, plan: group.plan },
          'purchasely-customerio: delivering',
        );
      }
      try {
        const { failures, unattributed } = await client.batch(operations, limits);
        for (const failure of failures) {
          for (const key of owners[failure.index] ?? []) {
            outcomes.set(
              key,
              rejected(key, `Customer.io refused part of the event: ${failure.message}`),
            );
          }
        }
        if (unattributed.length > 0) {
          // A 207 error with no usable index: no way to tell which event it concerns, so none is "delivered".
          const message = unattributed.map((failure) => failure.message).join('; ');
          for (const keys of owners) {
            for (const key of keys) {
              if (!outcomes.has(key)) {
                outcomes.set(
                  key,
                  rejected(key, `Customer.io refused part of the event: ${message}`),
                );
              }
            }
          }
        }
      } catch (error) {
        if (isCustomerIoValidationError(error) && error.index !== undefined) {
          // Refused before anything was sent: fail the offending operation's events, send the rest.
          for (const key of owners[error.index] ?? []) {
            outcomes.set(key, { key, status: 'failed', reason: 'customerio_rejected', error });
          }
          pending = pending.filter((group) =>
            group.events.some((event) => !outcomes.has(event.key)),
          );
          pending = pending.map((group) => withoutFailed(group, outcomes));
          continue;
        }
        const sent = isCustomerIoBatchError(error) ? error.operationsSent : 0;
        owners.forEach((keys, index) => {
          for (const key of keys) {
            if (outcomes.has(key) || index < sent) continue;
            outcomes.set(key, outcomeOfError(key, error));
          }
        });
        if (isCustomerIoBatchError(error)) {
          for (const { index, message } of error.failures) {
            for (const key of owners[index] ?? []) outcomes.set(key, rejected(key, message));
          }
        }
      }
      break;
    }
    for (const group of groups) {
      const merge = group.plan?.anonymousMerge;
      const open = group.events.filter((event) => !outcomes.has(event.key));
      if (open.length === 0) continue;
      if (merge?.supported) {
        try {
          for (const anonymousId of merge.anonymousIds) {
            await client.identify(
              (group.plan as PersonPlan).identifier,
              { anonymous_id: anonymousId },
              { timestamp: (group.plan as PersonPlan).timestamp, ...limits },
            );
          }
        } catch (error) {
          // After the batch: the merge is retried with the whole delivery, which is safe (event ids dedupe).
          for (const outcome of retryAll(open, error)) outcomes.set(outcome.key, outcome);
          continue;
        }
      }
      for (const event of open) {
        outcomes.set(event.key, {
          key: event.key,
          status: 'delivered',
          ...(merge?.supported === false ? { anonymousMerge: 'unsupported' as const } : {}),
        });
      }
    }
    return groups.flatMap((group) =>
      group.events.map((event) => outcomes.get(event.key) as DeliveryOutcome),
    );
  }

  async function sendAnonymous(
    client: CustomerIoSender,
    accepted: AcceptedEvent,
    limits: CustomerIoCallOptions,
  ): Promise<DeliveryOutcome> {
    const identity = accepted.identity as Extract<AcceptedEvent['identity'], { kind: 'anonymous' }>;
    try {
      await client.trackAnonymous(
        identity.anonymousId,
        planEvent(accepted.event, accepted.customerioEvent, accepted.key),
        limits,
      );
      return { key: accepted.key, status: 'delivered' };
    } catch (error) {
      return outcomeOfError(accepted.key, error);
    }
  }

  function report(accepted: AcceptedEvent, outcome: DeliveryOutcome): void {
    const ids = {
      eventId: accepted.eventId,
      eventName: accepted.event.event_name,
      customerioEvent: accepted.customerioEvent,
    };
    const { event } = accepted;
    switch (outcome.status) {
      case 'delivered':
        if (outcome.nothingSent) {
          logger.info(ids, 'purchasely-customerio: attributes only; an anonymous event has none');
          return;
        }
        notify('onForwarded', { event, customerioEvent: accepted.customerioEvent });
        logger.info(ids, 'purchasely-customerio: forwarded');
        if (outcome.anonymousMerge === 'unsupported') {
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
        }
        return;
      case 'failed':
        logger.error(
          { ...ids, err: summarise(outcome.error) },
          'purchasely-customerio: Customer.io rejected the event; acknowledged so later events flow',
        );
        notify('onFailed', {
          event,
          reason: 'customerio_rejected',
          willRetry: false,
          error: outcome.error,
        });
        return;
      case 'retry':
        logger.warn(
          { ...ids, reason: outcome.reason, err: summarise(outcome.error) },
          'purchasely-customerio: Customer.io unavailable; the event will be delivered again',
        );
        notify('onFailed', {
          event,
          reason: outcome.reason,
          willRetry: true,
          error: outcome.error,
        });
        return;
    }
  }
}

/** How the store and the locks name a person: their Customer.io identifier, typed. */
function personKeyOf(identifier: { id: string } | { email: string }): string {
  return 'id' in identifier ? `id:${identifier.id}` : `email:${identifier.email.toLowerCase()}`;
}

/** What an error from Customer.io means for one event: failed for good, or to be retried (and why). */
function outcomeOfError(key: string, error: unknown): DeliveryOutcome {
  const failure = classifyDeliveryFailure(error);
  return failure.ok || failure.permanent
    ? { key, status: 'failed', reason: 'customerio_rejected', error }
    : { key, status: 'retry', reason: failure.reason, error };
}

function rejected(key: string, message: string): DeliveryOutcome {
  return { key, status: 'failed', reason: 'customerio_rejected', error: new Error(message) };
}

function retryAll(events: readonly AcceptedEvent[], error: unknown): DeliveryOutcome[] {
  const failure = classifyDeliveryFailure(error);
  const reason = failure.ok || failure.permanent ? 'unavailable' : failure.reason;
  return events.map((event) => ({ key: event.key, status: 'retry', reason, error }));
}

/** A person's group without the events that already have an outcome (plan events are index-aligned). */
function withoutFailed(group: PersonGroup, outcomes: Map<string, DeliveryOutcome>): PersonGroup {
  const plan = group.plan as PersonPlan;
  const open = group.events.map((event) => !outcomes.has(event.key));
  return {
    ...group,
    events: group.events.filter((_, index) => open[index]),
    plan: { ...plan, events: plan.events.filter((_, index) => open[index]) },
  };
}

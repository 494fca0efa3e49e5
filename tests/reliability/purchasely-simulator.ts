/**
 * A Purchasely simulator: it delivers webhooks the way Purchasely documents it (reference §3.4, §3.5).
 *
 * - One queue per user, in order: a user's next event is not sent until the current one is acknowledged
 *   with a 200 ("later events of a user held until the earlier one is acknowledged").
 * - Anything but a 200, a network error or no answer within the read timeout is a failure, re-delivered on
 *   Purchasely's schedule (20 s, 26 s, 46 s, 1 min 56 s, … 25 retries over about 20 days), scaled down.
 * - Every delivery is signed anew with a fresh timestamp; the body is the same bytes every time, and so is
 *   `event_id` (and `event_created_at`, which Purchasely keeps across retries).
 * - Deliveries are concurrent across users, bounded by `concurrency`.
 */
import { signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { Agent, request } from 'undici';

/** Purchasely's waits before each of its 25 retries, in seconds (reference §3.4). */
export const PURCHASELY_RETRY_WAITS_S = [
  20, 26, 46, 116, 296, 670, 1346, 2456, 4156, 6626, 10070, 14716, 20816, 28646, 38506, 50720,
  65636, 83626, 105086, 130436, 160120, 194606, 234386, 279976, 331916,
] as const;

export interface SimulatedEvent {
  event_id: string;
  user_id: string;
  [field: string]: unknown;
}

export interface PurchaselySimulatorOptions {
  /** The webhook URL. */
  url: string;
  secret: string;
  /** Deliveries in flight at once, across users. Default 32. */
  concurrency?: number;
  /** Multiplies Purchasely's waits: 1/1000 turns 20 s into 20 ms. Default 1/1000. */
  backoffScale?: number;
  /** Longest scaled wait. Default 500 ms. */
  maxBackoffMs?: number;
  /** Purchasely's 10 s read timeout, scaled to the run. Default 5000 ms. */
  requestTimeoutMs?: number;
  /**
   * Share of 200 answers treated as lost on the way back (the connection broke after the bridge answered),
   * so Purchasely re-delivers an event the bridge already forwarded. Default 0.
   */
  lostAcknowledgementRate?: number;
  /** Uniform random in [0, 1) for lost acknowledgements; seed it for reproducible runs. */
  random?: () => number;
}

/** How one attempt ended: the HTTP status, or why there was none (`lost`: a 200 that never arrived). */
export type AttemptOutcome = number | 'timeout' | 'network' | 'lost';

export interface SimulatorReport {
  events: number;
  users: number;
  acknowledged: number;
  attempts: number;
  /** Deliveries after the first of an event. */
  redeliveries: number;
  /** Attempts by outcome. */
  outcomes: Record<string, number>;
  /** Events still failing after the 25th retry: Purchasely's schedule is over, the event is lost. */
  gaveUp: SimulatedEvent[];
  mostAttemptsForOneEvent: number;
  /** Must stay 1: Purchasely never has two deliveries of the same user in flight. */
  mostInFlightForOneUser: number;
  mostInFlight: number;
  elapsedMs: number;
  /** Per user, the event ids in the order they were acknowledged. */
  acknowledgedOrder: Map<string, string[]>;
}

export function createPurchaselySimulator(options: PurchaselySimulatorOptions) {
  const concurrency = options.concurrency ?? 32;
  const scale = options.backoffScale ?? 1 / 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 500;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const lostAcknowledgementRate = options.lostAcknowledgementRate ?? 0;
  const random = options.random ?? Math.random;
  const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });

  const waitBefore = (retry: number): number =>
    Math.min(maxBackoffMs, (PURCHASELY_RETRY_WAITS_S[retry - 1] ?? 0) * 1000 * scale);

  async function attempt(body: string): Promise<AttemptOutcome> {
    const webhook = await signedPurchaselyWebhook({ secret: options.secret, body });
    try {
      const response = await request(options.url, {
        method: 'POST',
        headers: webhook.headers,
        body: webhook.body,
        dispatcher,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      await response.body.dump();
      if (response.statusCode === 200 && random() < lostAcknowledgementRate) return 'lost';
      return response.statusCode;
    } catch (error) {
      return (error as { name?: string }).name === 'TimeoutError' ? 'timeout' : 'network';
    }
  }

  /** Delivers every event, in order per user; resolves when each is acknowledged or given up. */
  async function run(events: readonly SimulatedEvent[]): Promise<SimulatorReport> {
    const started = performance.now();
    const queues = new Map<string, SimulatedEvent[]>();
    for (const event of events) {
      const queue = queues.get(event.user_id);
      if (queue) queue.push(event);
      else queues.set(event.user_id, [event]);
    }
    const bodies = new Map(events.map((event) => [event.event_id, JSON.stringify(event)]));
    const report: SimulatorReport = {
      events: events.length,
      users: queues.size,
      acknowledged: 0,
      attempts: 0,
      redeliveries: 0,
      outcomes: {},
      gaveUp: [],
      mostAttemptsForOneEvent: 0,
      mostInFlightForOneUser: 0,
      mostInFlight: 0,
      elapsedMs: 0,
      acknowledgedOrder: new Map(),
    };

    // A FIFO semaphore bounding deliveries in flight.
    let inFlight = 0;
    const waiting: Array<() => void> = [];
    const acquire = async () => {
      if (inFlight >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight += 1;
      report.mostInFlight = Math.max(report.mostInFlight, inFlight);
    };
    const release = () => {
      inFlight -= 1;
      waiting.shift()?.();
    };
    const inFlightByUser = new Map<string, number>();

    /** One user's queue, sequentially: the head event until acknowledged (or given up), then the next. */
    async function drain(user: string, queue: SimulatedEvent[]): Promise<void> {
      for (const event of queue) {
        const body = bodies.get(event.event_id) as string;
        for (let tries = 1; ; tries += 1) {
          await acquire();
          const count = (inFlightByUser.get(user) ?? 0) + 1;
          inFlightByUser.set(user, count);
          report.mostInFlightForOneUser = Math.max(report.mostInFlightForOneUser, count);
          const outcome = await attempt(body).finally(() => {
            inFlightByUser.set(user, (inFlightByUser.get(user) ?? 1) - 1);
            release();
          });
          report.attempts += 1;
          if (tries > 1) report.redeliveries += 1;
          report.outcomes[String(outcome)] = (report.outcomes[String(outcome)] ?? 0) + 1;
          report.mostAttemptsForOneEvent = Math.max(report.mostAttemptsForOneEvent, tries);
          if (outcome === 200) {
            report.acknowledged += 1;
            const order = report.acknowledgedOrder.get(user);
            if (order) order.push(event.event_id);
            else report.acknowledgedOrder.set(user, [event.event_id]);
            break;
          }
          if (tries > PURCHASELY_RETRY_WAITS_S.length) {
            report.gaveUp.push(event);
            break;
          }
          // The user's later events stay held while this one waits for its next delivery.
          await new Promise((resolve) => setTimeout(resolve, waitBefore(tries)));
        }
      }
    }

    await Promise.all([...queues].map(([user, queue]) => drain(user, queue)));
    report.elapsedMs = Math.round(performance.now() - started);
    return report;
  }

  return { run, close: () => dispatcher.close() };
}

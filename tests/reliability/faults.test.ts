/**
 * Part 1, faults: Customer.io fails about 30% of requests (500, 502, 503, 429 with Retry-After, hangs past
 * the client's timeout, dropped connections, and responses lost after the request was applied) while a
 * Purchasely simulator re-delivers every non-200 answer (and, for 2% of the bridge's 200s, an answer lost on
 * its way back, so the bridge's own idempotency is exercised too). Every event must arrive exactly once, and each
 * person's final attributes must be those of their newest event.
 *
 * Sizes: RELIABILITY_EVENTS (10,000), RELIABILITY_USERS (500), RELIABILITY_FAULT_RATE_PERCENT (30),
 * RELIABILITY_SEED, RELIABILITY_CONCURRENCY (16 deliveries in flight).
 */
import { createPurchaselyBridge, type PURCHASELY_EVENTS } from '@purchasely-customerio/core';
import {
  createCustomerIoEmulator,
  type FaultStep,
  type LoopbackServer,
  purchaselyEvent,
} from '@purchasely-customerio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envInt,
  PATH,
  type RunningServer,
  recordFigures,
  SITE_ID,
  seededRandom,
  startServer,
  WEBHOOK_SECRET,
  WORKSPACE,
} from './helpers.js';
import { createPurchaselySimulator, type SimulatedEvent } from './purchasely-simulator.js';

const EVENTS = envInt('RELIABILITY_EVENTS', 10_000);
const USERS = envInt('RELIABILITY_USERS', 500);
const FAULT_RATE = envInt('RELIABILITY_FAULT_RATE_PERCENT', 30) / 100;
const SEED = envInt('RELIABILITY_SEED', 20_260_801);
const CONCURRENCY = envInt('RELIABILITY_CONCURRENCY', 16);
/** Share of the bridge's 200s lost on the way back to Purchasely, which then re-delivers a forwarded event. */
const LOST_ACKNOWLEDGEMENTS = 0.02;

/** The bridge's Customer.io client: a short timeout and quick retries, so a hang costs 400 ms, not 3 s. */
const CLIENT_TIMEOUT_MS = 400;
const DELIVERY_BUDGET_MS = 1500;

const FAULT_STEPS: FaultStep[] = [
  { status: 500 },
  { status: 502, body: '<html><body>502 Bad Gateway</body></html>' },
  { status: 503 },
  { status: 429, retryAfter: 1 },
  { hangMs: 4 * CLIENT_TIMEOUT_MS },
  'drop',
  'drop-after',
];

/** Events the bridge forwards by default (all but ACTIVATE and DEACTIVATE). */
const EVENT_NAMES = [
  'SUBSCRIPTION_STARTED',
  'SUBSCRIPTION_RENEWED',
  'RENEWAL_DISABLED',
  'RENEWAL_ENABLED',
  'TRIAL_STARTED',
  'TRIAL_CONVERTED',
  'SUBSCRIPTION_UPGRADED',
  'GRACE_PERIOD_STARTED',
  'SUBSCRIPTION_RECOVERED_FROM_GRACE_PERIOD',
  'TRANSACTION_PROCESSED',
] as const satisfies ReadonlyArray<keyof typeof PURCHASELY_EVENTS>;

/** 10,000 events over the users, in an interleaved order, each user's creation times increasing. */
function generateEvents(): SimulatedEvent[] {
  const random = seededRandom(SEED);
  const perUser = new Array<number>(USERS).fill(0);
  const start = Date.UTC(2026, 0, 1);
  const events: SimulatedEvent[] = [];
  for (let index = 0; index < EVENTS; index += 1) {
    // Every user gets one event first, then users are drawn at random.
    const user = index < USERS ? index : Math.floor(random() * USERS);
    const sequence = perUser[user] as number;
    perUser[user] = sequence + 1;
    const name = EVENT_NAMES[
      Math.floor(random() * EVENT_NAMES.length)
    ] as (typeof EVENT_NAMES)[number];
    events.push(
      purchaselyEvent(name, {
        user_id: `user-${user}`,
        // A minute apart, so Customer.io's second-precision timestamps order them.
        event_created_at_ms: start + sequence * 60_000 + user,
        plan: `plan-${user}-${sequence}`,
      }) as unknown as SimulatedEvent,
    );
  }
  return events;
}

describe('faults: Customer.io fails ~30% of requests, Purchasely re-delivers', () => {
  const emulator = createCustomerIoEmulator({ workspaces: [WORKSPACE] });
  let customerio: LoopbackServer;
  let server: RunningServer;
  const bridgeCounters = { duplicates: 0, failedWillRetry: 0, failedForGood: 0 };

  beforeAll(async () => {
    customerio = await emulator.listen();
    const bridge = createPurchaselyBridge({
      logger: false, // the figures tell the story; thousands of warnings would bury them
      webhookSecret: WEBHOOK_SECRET,
      customerio: {
        ...WORKSPACE,
        baseUrl: customerio.url,
        rateLimit: false,
        timeoutMs: CLIENT_TIMEOUT_MS,
        retry: { limit: 1, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
      },
      deliveryBudgetMs: DELIVERY_BUDGET_MS,
      hooks: {
        onDuplicate: () => {
          bridgeCounters.duplicates += 1;
        },
        onFailed: ({ willRetry }) => {
          if (willRetry) bridgeCounters.failedWillRetry += 1;
          else bridgeCounters.failedForGood += 1;
        },
      },
    });
    server = await startServer('fetch', bridge);
  });
  afterAll(async () => {
    await server?.close();
    await customerio?.close();
  });

  it('delivers every event exactly once, and each person ends with the newest attributes', async () => {
    const events = generateEvents();
    emulator.faults.random({ rate: FAULT_RATE, seed: SEED, steps: FAULT_STEPS });
    const simulator = createPurchaselySimulator({
      url: `${server.url}${PATH}`,
      secret: WEBHOOK_SECRET,
      concurrency: CONCURRENCY,
      lostAcknowledgementRate: LOST_ACKNOWLEDGEMENTS,
      random: seededRandom(SEED + 1),
    });
    const report = await simulator.run(events).finally(() => simulator.close());
    emulator.faults.clear();

    // Every event id in Customer.io exactly once: none lost, none duplicated.
    const sent = new Map(events.map((event) => [event.event_id, event]));
    const received = new Map<string, number>();
    for (const event of emulator.events) {
      const id = String(event.data.event_id);
      received.set(id, (received.get(id) ?? 0) + 1);
    }
    const lost = [...sent.keys()].filter((id) => !received.has(id));
    const duplicated = [...received].filter(([, count]) => count > 1);
    const unknown = [...received.keys()].filter((id) => !sent.has(id));

    // Each person's final attributes are those of their newest event.
    const newest = new Map<string, SimulatedEvent>();
    for (const event of events) newest.set(event.user_id, event);
    const stale: string[] = [];
    for (const [user, event] of newest) {
      const attributes = emulator.workspace(SITE_ID).people.get(user)?.attributes;
      if (attributes?.plan !== event.plan || attributes?.last_event !== event.event_name) {
        stale.push(user);
      }
    }

    // Per person, events reached Customer.io in creation order (the held queue at work).
    const lastSeen = new Map<string, number>();
    let outOfOrder = 0;
    for (const event of emulator.events) {
      const created = Number(event.data.event_created_at_ms);
      if (created < (lastSeen.get(event.personId ?? '') ?? -1)) outOfOrder += 1;
      lastSeen.set(event.personId ?? '', created);
    }

    const statusCounts: Record<string, number> = {};
    for (const request of emulator.requests) {
      statusCounts[request.status] = (statusCounts[request.status] ?? 0) + 1;
    }

    recordFigures('faults', {
      events: events.length,
      users: report.users,
      faultRatePercent: FAULT_RATE * 100,
      seed: SEED,
      customerioRequests: emulator.stats.requests,
      faultsInjected: emulator.stats.faultsInjected,
      customerioAnswers: Object.entries(statusCounts)
        .map(([status, count]) => `${status === '0' ? 'none' : status}:${count}`)
        .join(' '),
      webhookDeliveries: report.attempts,
      redeliveries: report.redeliveries,
      webhookAnswers: Object.entries(report.outcomes)
        .map(([outcome, count]) => `${outcome}:${count}`)
        .join(' '),
      mostDeliveriesOfOneEvent: report.mostAttemptsForOneEvent,
      duplicatesAbsorbed: emulator.stats.duplicateEvents,
      acknowledgementsLost: report.outcomes.lost ?? 0,
      bridgeDuplicates: bridgeCounters.duplicates,
      lost: lost.length,
      duplicated: duplicated.length,
      staleAttributes: stale.length,
      outOfOrder,
      gaveUp: report.gaveUp.length,
      elapsedSeconds: Math.round(report.elapsedMs / 100) / 10,
    });

    expect(report.gaveUp).toEqual([]);
    expect(report.acknowledged).toBe(events.length);
    expect(report.mostInFlightForOneUser).toBe(1);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(unknown).toEqual([]);
    expect(emulator.events).toHaveLength(events.length);
    expect(stale).toEqual([]);
    expect(outOfOrder).toBe(0);
    expect(bridgeCounters.failedForGood).toBe(0);
    // The faults really happened, re-deliveries really happened, and deduplication really worked.
    expect(emulator.stats.faultsInjected).toBeGreaterThan(0);
    if (EVENTS >= 1000) {
      expect(report.redeliveries).toBeGreaterThan(0);
      expect(emulator.stats.duplicateEvents).toBeGreaterThan(0);
      expect(bridgeCounters.duplicates).toBeGreaterThan(0);
    }
  });
});

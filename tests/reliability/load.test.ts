/**
 * Part 3, load: 2,000 distinct signed webhooks fired at once over real HTTP, none lost, and the heap back at
 * its baseline afterwards.
 *
 * Everything runs in this one process (the webhook sender, the server with the bridge, the Customer.io
 * emulator), so the heap figures cover all of it. The baseline is taken after a warm-up, with the emulator
 * emptied; after the load, the emulator is emptied again (what it stores is the test's record of Customer.io,
 * not the bridge's memory), the sender's connections are closed, idle keep-alive sockets are given time to
 * time out, and the heap is measured after forced garbage collections (`--expose-gc`, see vitest.config.ts).
 * The bridge's idempotency store keeps the 2,000 keys, by design (bounded at 100,000): it is counted in.
 *
 * A second part fires a burst at a bridge with the default rate limit (100 requests/s) and delivery budget
 * (7 s): what does not fit in the budget must be answered 503 at once, never be sent behind the answer, and
 * reach Customer.io exactly once when Purchasely re-delivers it.
 *
 * Sizes: RELIABILITY_LOAD (2,000), RELIABILITY_BURST (1,000), RELIABILITY_LOAD_CONNECTIONS (as many as webhooks),
 * RELIABILITY_HEAP_TOLERANCE_MB (20), RELIABILITY_LOAD_ADAPTER (express).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createPurchaselyBridge } from '@purchasely-customerio/core';
import {
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdapterName,
  envInt,
  mb,
  PATH,
  type RunningServer,
  recordFigures,
  startServer,
  WEBHOOK_SECRET,
  WORKSPACE,
} from './helpers.js';

const LOAD = envInt('RELIABILITY_LOAD', 2000);
const BURST = envInt('RELIABILITY_BURST', 1000);
const CONNECTIONS = envInt('RELIABILITY_LOAD_CONNECTIONS', LOAD);
const TOLERANCE_MB = envInt('RELIABILITY_HEAP_TOLERANCE_MB', 20);
const ADAPTER = (process.env.RELIABILITY_LOAD_ADAPTER ?? 'express') as AdapterName;
const WARM_UP = 200;

const collect = globalThis.gc;

/** Heap in use after full collections; several, since one pass may leave weakly held or finalised objects. */
async function settledHeap(): Promise<number> {
  for (let pass = 0; pass < 4; pass += 1) {
    collect?.();
    await sleep(50);
  }
  return process.memoryUsage().heapUsed;
}

describe('load: concurrent webhooks', () => {
  const emulator = createCustomerIoEmulator({ workspaces: [WORKSPACE] });
  let customerio: LoopbackServer;
  let server: RunningServer;

  beforeAll(async () => {
    customerio = await emulator.listen();
    const bridge = createPurchaselyBridge({
      logger: false, // the figures tell the story; thousands of warnings would bury them
      webhookSecret: WEBHOOK_SECRET,
      // Everything shares two cores here, Customer.io included: the last of 2,000 simultaneous deliveries
      // waits its turn for longer than a real Customer.io would take. Wider timeouts keep this a test of
      // loss and memory, not of this machine's latency (the fault test covers timeouts).
      customerio: { ...WORKSPACE, baseUrl: customerio.url, rateLimit: false, timeoutMs: 30_000 },
      deliveryBudgetMs: 60_000,
    });
    server = await startServer(ADAPTER, bridge);
  });
  afterAll(async () => {
    await server?.close();
    await customerio?.close();
  });

  /** Signs `count` distinct events and fires them all at once; resolves with the answers' statuses. */
  async function fire(count: number, prefix: string, agent: Agent) {
    const webhooks = await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const event = purchaselyEvent('SUBSCRIPTION_RENEWED', {
          user_id: `${prefix}-${index}`,
          plan: index % 2 === 0 ? 'monthly' : 'yearly',
        });
        return {
          id: event.event_id,
          ...(await signedPurchaselyWebhook({ secret: WEBHOOK_SECRET, body: event })),
        };
      }),
    );
    const started = performance.now();
    const statuses = await Promise.all(
      webhooks.map(async (webhook) => {
        try {
          const response = await request(`${server.url}${PATH}`, {
            method: 'POST',
            headers: webhook.headers,
            body: webhook.body,
            dispatcher: agent,
          });
          await response.body.dump();
          return response.statusCode;
        } catch (error) {
          return `error:${(error as { code?: string }).code ?? (error as Error).name}`;
        }
      }),
    );
    return {
      ids: webhooks.map((webhook) => webhook.id),
      statuses,
      elapsedMs: performance.now() - started,
    };
  }

  it(`takes ${LOAD} concurrent webhooks: none lost, and the heap returns to its baseline`, async () => {
    expect(collect, 'run with --expose-gc (tests/reliability/vitest.config.ts sets it)').toBeTypeOf(
      'function',
    );
    const warmAgent = new Agent({ connections: 64 });
    await fire(WARM_UP, 'warm', warmAgent);
    await warmAgent.close();
    emulator.reset();
    const heapBefore = await settledHeap();
    const rssBefore = process.memoryUsage().rss;

    const agent = new Agent({ connections: CONNECTIONS, keepAliveTimeout: 30_000 });
    let heapPeak = 0;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 25);
    const { ids, statuses, elapsedMs } = await fire(LOAD, 'load', agent).finally(() =>
      clearInterval(sampler),
    );

    const answers: Record<string, number> = {};
    for (const status of statuses) answers[status] = (answers[status] ?? 0) + 1;
    const received = new Map<string, number>();
    for (const event of emulator.events) {
      const id = String(event.data.event_id);
      received.set(id, (received.get(id) ?? 0) + 1);
    }
    const lost = ids.filter((id) => received.get(String(id)) !== 1).length;
    const eventsReceived = emulator.events.length;

    emulator.reset();
    await agent.close();
    // Idle keep-alive sockets (the bridge's client to Customer.io, the servers' ends) time out in seconds.
    await sleep(6000);
    const heapAfter = await settledHeap();
    const rssAfter = process.memoryUsage().rss;

    recordFigures('load', {
      adapter: ADAPTER,
      webhooks: LOAD,
      connections: Math.min(CONNECTIONS, LOAD),
      answers: Object.entries(answers)
        .map(([status, count]) => `${status}:${count}`)
        .join(' '),
      customerioEvents: eventsReceived,
      lost,
      elapsedSeconds: Math.round(elapsedMs / 100) / 10,
      webhooksPerSecond: Math.round(LOAD / (elapsedMs / 1000)),
      heapBeforeMb: mb(heapBefore),
      heapPeakMb: mb(heapPeak),
      heapAfterMb: mb(heapAfter),
      heapGrowthMb: mb(heapAfter - heapBefore),
      heapToleranceMb: TOLERANCE_MB,
      rssBeforeMb: mb(rssBefore),
      rssAfterMb: mb(rssAfter),
    });

    expect(answers).toEqual({ 200: LOAD });
    expect(eventsReceived).toBe(LOAD);
    expect(lost).toBe(0);
    expect(heapAfter).toBeLessThan(heapBefore + TOLERANCE_MB * 1024 * 1024);
  });

  it(`a burst of ${BURST} above the rate limit: the excess is refused at once, never sent behind the answer, and delivered once on re-delivery`, async () => {
    const limited = createCustomerIoEmulator({ workspaces: [WORKSPACE] });
    const limitedCustomerio = await limited.listen();
    // The defaults: 100 requests/s, a 7 s delivery budget.
    const bridge = createPurchaselyBridge({
      webhookSecret: WEBHOOK_SECRET,
      customerio: { ...WORKSPACE, baseUrl: limitedCustomerio.url },
      logger: false,
    });
    const limitedServer = await startServer(ADAPTER, bridge);
    const agent = new Agent({ connections: BURST });
    try {
      const webhooks = await Promise.all(
        Array.from({ length: BURST }, async (_, index) => {
          const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `burst-${index}` });
          return {
            id: String(event.event_id),
            ...(await signedPurchaselyWebhook({ secret: WEBHOOK_SECRET, body: event })),
          };
        }),
      );
      const sendAll = (batch: typeof webhooks) =>
        Promise.all(
          batch.map(async (webhook) => {
            const response = await request(`${limitedServer.url}${PATH}`, {
              method: 'POST',
              headers: webhook.headers,
              body: webhook.body,
              dispatcher: agent,
            });
            const body = (await response.body.json()) as Record<string, unknown>;
            return { webhook, status: response.statusCode, reason: body.reason };
          }),
        );
      const receivedIds = () => limited.events.map((event) => String(event.data.event_id));

      let pending = webhooks;
      let rounds = 0;
      let refusedFirst = 0;
      let sentBehindAnswer = 0;
      let abortedInFlight = 0;
      const reasons = new Set<unknown>();
      while (pending.length > 0 && rounds < 10) {
        rounds += 1;
        const answers = await sendAll(pending);
        const refused = answers.filter((answer) => answer.status !== 200);
        if (rounds === 1) refusedFirst = refused.length;
        for (const answer of refused) reasons.add(`${answer.status}:${String(answer.reason)}`);
        // Purchasely waits before re-delivering; meanwhile nothing refused may reach Customer.io.
        await sleep(1000);
        const received = new Set(receivedIds());
        // Refused for the rate limit: never sent. Past the budget while in flight: aborted, but Customer.io
        // may have taken it already; its re-delivery is then a duplicate Customer.io ignores.
        sentBehindAnswer += refused.filter(
          (answer) => answer.reason === 'rate_limited' && received.has(answer.webhook.id),
        ).length;
        abortedInFlight += refused.filter((answer) => answer.reason === 'timeout').length;
        pending = refused.map((answer) => answer.webhook);
      }
      const counts = new Map<string, number>();
      for (const id of receivedIds()) counts.set(id, (counts.get(id) ?? 0) + 1);
      const deliveredOnce = webhooks.filter((webhook) => counts.get(webhook.id) === 1).length;

      recordFigures('burst', {
        webhooks: BURST,
        refusedInFirstRound: refusedFirst,
        refusalAnswers: [...reasons].join(' '),
        rounds,
        sentBehindAnswer,
        abortedInFlight,
        deliveredOnce,
        customerioRequests: limited.requests.length,
      });
      expect(refusedFirst).toBeGreaterThan(0);
      expect(
        [...reasons].every((reason) => /^503:(rate_limited|timeout)$/.test(String(reason))),
      ).toBe(true);
      expect(sentBehindAnswer).toBe(0);
      expect(pending).toHaveLength(0);
      expect(deliveredOnce).toBe(BURST);
    } finally {
      await agent.close();
      await limitedServer.close();
      await limitedCustomerio.close();
    }
  });
});

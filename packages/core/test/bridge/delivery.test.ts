import {
  createCustomerIoEmulator,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createPurchaselyBridge, eventIdFor } from '../../src/index.js';
import {
  clientOptions,
  SANDBOX_API_KEY,
  SANDBOX_SITE_ID,
  SECRET,
  SITE_ID,
  send,
  setup,
  WORKSPACES,
} from './helpers.js';

describe('re-deliveries are not duplicated', () => {
  it('the same body signed again → duplicate; one event, one batch request', async () => {
    const { emulator, bridge } = setup();
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-redelivered' });
    const body = JSON.stringify(event);
    const first = await send(bridge, body, { timestamp: Math.floor(Date.now() / 1000) - 60 });
    const second = await send(bridge, body);
    expect(first.json).toMatchObject({ status: 'forwarded' });
    expect(second.status).toBe(200);
    expect(second.json).toEqual({
      status: 'duplicate',
      event_id: event.event_id,
      event_name: 'SUBSCRIPTION_RENEWED',
    });
    expect(emulator.events).toHaveLength(1);
    expect(emulator.requests.filter((r) => r.path === '/api/v2/batch')).toHaveLength(1);
  });

  it('without a memory of its own (a fresh store), Customer.io deduplicates the re-delivery by its event id', async () => {
    const emulator = createCustomerIoEmulator({ workspaces: WORKSPACES });
    const bridgeWithStore = () =>
      createPurchaselyBridge({
        webhookSecret: SECRET,
        customerio: clientOptions(emulator),
        store: createMemoryStore(),
        logger: false,
      });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-no-memory' });
    expect((await send(bridgeWithStore(), event)).json).toMatchObject({ status: 'forwarded' });
    expect((await send(bridgeWithStore(), event)).json).toMatchObject({ status: 'forwarded' });
    expect(emulator.stats.duplicateEvents).toBe(1);
    expect(emulator.events).toEqual([
      expect.objectContaining({
        id: eventIdFor(event.event_id as string, event.event_created_at_ms),
      }),
    ]);
  });

  it('the store is claimed, completed and consulted: a re-delivery is a duplicate', async () => {
    const store = createMemoryStore();
    const { emulator, bridge } = setup({ store });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    await send(bridge, event);
    expect(await store.claim(event.event_id as string, { leaseMs: 1000 })).toEqual({
      status: 'done',
    });
    expect((await send(bridge, event)).json).toMatchObject({ status: 'duplicate' });
    expect(emulator.requests).toHaveLength(1);
  });

  it('an event claimed elsewhere (another instance at work) → 503 in_progress, nothing sent', async () => {
    const store = createMemoryStore();
    const { emulator, bridge } = setup({ store });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    const elsewhere = await store.claim(event.event_id as string, { leaseMs: 60_000 });
    expect(elsewhere.status).toBe('claimed');
    const answer = await send(bridge, event);
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: 'in_progress', event_id: event.event_id });
    expect(emulator.requests).toHaveLength(0);
  });

  it('skipped events are not claimed: enabling the event later forwards a re-delivery', async () => {
    const store = createMemoryStore();
    const event = purchaselyEvent('ACTIVATE');
    const off = setup({ store });
    expect((await send(off.bridge, event)).json).toMatchObject({ status: 'skipped' });
    const on = setup({ store, events: 'all' });
    expect((await send(on.bridge, event)).json).toMatchObject({ status: 'forwarded' });
    expect(on.emulator.events).toHaveLength(1);
  });

  it('the memory store forgets after its TTL', async () => {
    let now = 0;
    const { emulator, bridge } = setup({
      store: createMemoryStore({ doneTtlMs: 1000, now: () => now }),
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    await send(bridge, event);
    now = 500;
    expect((await send(bridge, event)).json).toMatchObject({ status: 'duplicate' });
    now = 1001;
    expect((await send(bridge, event)).json).toMatchObject({ status: 'forwarded' });
    // Customer.io still drops the second copy by its id.
    expect(emulator.events).toHaveLength(1);
    expect(emulator.stats.duplicateEvents).toBe(1);
  });
});

describe('concurrent duplicates are coalesced', () => {
  it('5 concurrent copies → one request reaches Customer.io; one forwarded, four duplicates', async () => {
    const duplicates: string[] = [];
    const { emulator, bridge } = setup({
      hooks: { onDuplicate: ({ key }) => duplicates.push(key) },
    });
    emulator.faults.next({ delayMs: 20 });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-concurrent' });
    const webhooks = await Promise.all(
      Array.from({ length: 5 }, () => signedPurchaselyWebhook({ secret: SECRET, body: event })),
    );
    const answers = await Promise.all(
      webhooks.map((webhook) => bridge.handle({ method: 'POST', ...webhook })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const statuses = answers.map((a) => (JSON.parse(a.body) as { status: string }).status).sort();
    expect(statuses).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'forwarded']);
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.events).toHaveLength(1);
    expect(duplicates).toEqual(Array(4).fill(event.event_id));
  });

  it('concurrent copies while Customer.io is down all get the 503, and nothing is remembered', async () => {
    // A slow network in front of the emulator keeps the first delivery in flight while the copies arrive.
    const emulatorRef: { fetch?: typeof fetch } = {};
    const slowFetch: typeof fetch = async (input, init) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return (emulatorRef.fetch as typeof fetch)(input, init);
    };
    const { emulator, bridge } = setup({}, { retry: false, fetch: slowFetch });
    emulatorRef.fetch = emulator.fetch;
    emulator.faults.next({ status: 503 });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    const webhooks = await Promise.all(
      Array.from({ length: 3 }, () => signedPurchaselyWebhook({ secret: SECRET, body: event })),
    );
    const answers = await Promise.all(
      webhooks.map((webhook) => bridge.handle({ method: 'POST', ...webhook })),
    );
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    expect(emulator.requests).toHaveLength(1);
    expect((await send(bridge, event)).json).toMatchObject({ status: 'forwarded' });
  });
});

describe('out-of-order events', () => {
  it('an older event delivered late does not move attributes back: they come from the state, stamped with its newest event', async () => {
    const { emulator, bridge } = setup();
    const base = Date.now() - 3_600_000;
    const newer = purchaselyEvent('SUBSCRIPTION_RENEWED', {
      user_id: 'u-order',
      plan: 'yearly',
      event_created_at_ms: base + 60_000,
    });
    const older = purchaselyEvent('SUBSCRIPTION_RENEWED', {
      user_id: 'u-order',
      plan: 'monthly',
      event_created_at_ms: base,
    });
    expect((await send(bridge, newer)).json).toMatchObject({ status: 'forwarded' });
    expect((await send(bridge, older)).json).toMatchObject({ status: 'forwarded' });

    const person = emulator.people.get('u-order');
    expect(person?.attributes.plan).toBe('yearly');
    // Both updates carry the newest event's time: the second was computed from the fuller state.
    expect(person?.updates.map((u) => u.timestamp)).toEqual([
      Math.floor((base + 60_000) / 1000),
      Math.floor((base + 60_000) / 1000),
    ]);
    // Both events are kept, each with its own creation time.
    expect(emulator.events.map((e) => e.timestamp)).toEqual([
      Math.floor((base + 60_000) / 1000),
      Math.floor(base / 1000),
    ]);
  });

  it('the same holds with an anonymous merge (a v2 batch, then the v1 merge)', async () => {
    const { emulator, bridge } = setup();
    const base = Date.now() - 3_600_000;
    const common = { user_id: 'u-order-v1', anonymous_user_id: 'anon-order' };
    await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_RENEWED', {
        ...common,
        plan: 'yearly',
        event_created_at_ms: base + 60_000,
      }),
    );
    await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_RENEWED', {
        ...common,
        plan: 'monthly',
        event_created_at_ms: base,
      }),
    );
    expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/batch',
      'PUT /api/v1/customers/u-order-v1',
      'POST /api/v2/batch',
      'PUT /api/v1/customers/u-order-v1',
    ]);
    expect(emulator.people.get('u-order-v1')?.attributes.plan).toBe('yearly');
  });
});

describe('sandbox policies', () => {
  const sandboxEvent = () =>
    purchaselyEvent('SUBSCRIPTION_RENEWED', { environment: 'SANDBOX', user_id: 'u-sandbox' });
  const productionEvent = () =>
    purchaselyEvent('SUBSCRIPTION_RENEWED', { environment: 'PRODUCTION', user_id: 'u-prod' });

  it("'ignore' (default): sandbox skipped and nothing sent; production forwarded", async () => {
    const { emulator, bridge } = setup();
    const skipped = await send(bridge, sandboxEvent());
    expect(skipped.json).toMatchObject({ status: 'skipped', reason: 'sandbox' });
    expect(emulator.requests).toHaveLength(0);
    expect((await send(bridge, productionEvent())).json).toMatchObject({ status: 'forwarded' });
    expect(emulator.requests.map((r) => r.siteId)).toEqual([SITE_ID]);
  });

  it("'forward': sandbox events go to the production workspace", async () => {
    const { emulator, bridge } = setup({ sandbox: 'forward' });
    expect((await send(bridge, sandboxEvent())).json).toMatchObject({ status: 'forwarded' });
    expect((await send(bridge, productionEvent())).json).toMatchObject({ status: 'forwarded' });
    expect(emulator.requests.map((r) => r.siteId)).toEqual([SITE_ID, SITE_ID]);
    expect([...emulator.workspace(SITE_ID).people.keys()].sort()).toEqual(['u-prod', 'u-sandbox']);
    expect(emulator.workspace(SANDBOX_SITE_ID).events).toHaveLength(0);
  });

  it('{ customerio }: sandbox events go to the other workspace, production to production', async () => {
    const emulator = createCustomerIoEmulator({ workspaces: WORKSPACES });
    const split = createPurchaselyBridge({
      webhookSecret: SECRET,
      customerio: clientOptions(emulator),
      sandbox: {
        customerio: clientOptions(emulator, { siteId: SANDBOX_SITE_ID, apiKey: SANDBOX_API_KEY }),
      },
    });
    expect((await send(split, sandboxEvent())).json).toMatchObject({ status: 'forwarded' });
    expect((await send(split, productionEvent())).json).toMatchObject({ status: 'forwarded' });

    expect(emulator.requests.map((r) => r.siteId)).toEqual([SANDBOX_SITE_ID, SITE_ID]);
    const sandbox = emulator.workspace(SANDBOX_SITE_ID);
    const production = emulator.workspace(SITE_ID);
    expect([...sandbox.people.keys()]).toEqual(['u-sandbox']);
    expect(sandbox.events).toEqual([expect.objectContaining({ personId: 'u-sandbox' })]);
    expect([...production.people.keys()]).toEqual(['u-prod']);
    expect(production.events).toEqual([expect.objectContaining({ personId: 'u-prod' })]);
  });
});

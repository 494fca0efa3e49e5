import {
  type AcceptedEvent,
  createPurchaselyBridge,
  type PurchaselyBridge,
} from '@purchasely-customerio/core';
import {
  type CustomerIoEmulator,
  createCustomerIoEmulator,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BullMqDeliveryQueue,
  createBullMqQueue,
  createDeadLetters,
  createRedisStore,
  fromIoredis,
  startDeliveryWorker,
} from '../src/index.js';
import { attemptsFor, resolveRetryPolicy, retryDelayMs } from '../src/queue/retry-policy.js';
import { sleep } from './clients.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

const SECRET = 'whsec_queue_mode_test';
// Short backoff for the tests: 50 ms doubling to 200 ms, over 30 s.
const FAST_RETRY = { baseDelayMs: 50, maxDelayMs: 200, horizonMs: 30_000 };

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

describe('the retry policy', () => {
  it('defaults: 1 s doubling to 1 h, over 20 days → 491 attempts; delays jittered ±25 % and capped', () => {
    const policy = resolveRetryPolicy();
    expect(attemptsFor(policy)).toBe(491);
    expect(retryDelayMs(policy, 1, () => 0)).toBe(750);
    expect(retryDelayMs(policy, 1, () => 1)).toBe(1_250);
    expect(retryDelayMs(policy, 3, () => 0.5)).toBe(4_000);
    expect(retryDelayMs(policy, 400, () => 0.5)).toBe(3_600_000);
    expect(attemptsFor(resolveRetryPolicy(FAST_RETRY))).toBe(152);
    expect(attemptsFor(resolveRetryPolicy({ horizonMs: 0 }))).toBe(1);
  });
});

describe('queue mode on BullMQ, on a real Redis, against the Customer.io emulator', () => {
  let server: RedisServer;
  let redis: Redis;
  const toClose: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis({ host: server.host, port: server.port });
  });
  afterEach(async () => {
    for (const closable of toClose.splice(0).reverse()) await closable.close();
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  const connection = () => ({ host: server.host, port: server.port, maxRetriesPerRequest: null });

  /** A bridge in queue mode (BullMQ queue, Redis store) and a worker, each on its own queue name. */
  async function setup(worker: { batchSize?: number; maxWaitMs?: number; start?: boolean } = {}) {
    const name = `q-${crypto.randomUUID()}`;
    const emulator = createCustomerIoEmulator();
    const queue = createBullMqQueue({ connection: connection(), name, retry: FAST_RETRY });
    toClose.push(queue);
    const bridge = createPurchaselyBridge({
      webhookSecret: SECRET,
      customerio: {
        siteId: 'test-site',
        apiKey: 'test-key',
        region: 'us',
        fetch: emulator.fetch,
        rateLimit: false,
        // The worker's backoff is the only retry: nothing else is sent while Customer.io is down.
        retry: false,
      },
      queue,
      store: createRedisStore({ redis: fromIoredis(redis), prefix: `${name}:` }),
      logger: false,
    });
    const start = async () => {
      const started = await startDeliveryWorker({
        bridge,
        connection: connection(),
        name,
        retry: FAST_RETRY,
        onError: () => {},
        ...worker,
      });
      toClose.push(started);
      return started;
    };
    const deadLetters = createDeadLetters({ connection: connection(), name });
    toClose.push(deadLetters);
    const delivering = worker.start === false ? undefined : await start();
    return { name, emulator, queue, bridge, start, delivering, deadLetters };
  }

  async function receive(bridge: PurchaselyBridge, body: object) {
    const webhook = await signedPurchaselyWebhook({ secret: SECRET, body: body as never });
    const started = performance.now();
    const answer = await bridge.handle({ method: 'POST', ...webhook });
    return {
      status: answer.status,
      outcome: (JSON.parse(answer.body) as { status: string }).status,
      ms: performance.now() - started,
    };
  }

  const counts = async (queue: BullMqDeliveryQueue) =>
    (await queue.queue()).getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');

  const batchRequests = (emulator: CustomerIoEmulator) =>
    emulator.requests.filter((request) => request.path === '/api/v2/batch').length;

  it('Customer.io down: webhooks answered 200 queued at once; after recovery each event is there once, attributes from the newest state', async () => {
    const { emulator, bridge, queue } = await setup();
    emulator.faults.random({ rate: 1, steps: [{ status: 503 }] });
    const base = Date.now() - 3_600_000;
    const names = [
      'SUBSCRIPTION_STARTED',
      'SUBSCRIPTION_RENEWED',
      'SUBSCRIPTION_TERMINATED',
    ] as const;
    // 10 users, 3 events each, received newest first for odd users: order of arrival must not matter.
    const bodies = Array.from({ length: 30 }, (_, i) =>
      purchaselyEvent(names[Math.floor(i / 10)]!, {
        user_id: `user-${i % 10}`,
        purchasely_subscription_id: `subs-${i % 10}`,
        event_created_at_ms: base + i * 1_000,
      }),
    );
    const arrival = bodies.flatMap((_, i) => ((i % 10) % 2 === 1 ? [] : [bodies[i]!]));
    arrival.push(...bodies.filter((_, i) => (i % 10) % 2 === 1).reverse());
    const answers = [];
    for (const body of arrival) answers.push(await receive(bridge, body));
    expect(answers.map((answer) => `${answer.status} ${answer.outcome}`)).toEqual(
      answers.map(() => '200 queued'),
    );
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(250);

    await sleep(1_000);
    // Down for a second: only the worker's retries were sent, each one batch request, all refused.
    expect(emulator.events).toHaveLength(0);
    expect(emulator.people.size).toBe(0);
    const duringOutage = emulator.requests.length;
    expect(duringOutage).toBeGreaterThan(1);
    expect(emulator.requests.every((request) => request.path === '/api/v2/batch')).toBe(true);
    expect(emulator.requests.every((request) => request.status === 503)).toBe(true);
    // 1 s of backoff at 50–200 ms per attempt: a bounded number of attempts, not a storm.
    expect(duringOutage).toBeLessThan(60);
    expect((await counts(queue)).failed).toBe(0);

    emulator.faults.clear();
    await until(async () => (await counts(queue)).completed === 30);
    const ids = emulator.events.map((event) => event.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(emulator.people.size).toBe(10);
    for (let user = 0; user < 10; user++) {
      // The newest event of user-N is number 20 + N, a SUBSCRIPTION_TERMINATED.
      expect(emulator.people.get(`user-${user}`)?.attributes).toMatchObject({
        last_event: 'SUBSCRIPTION_TERMINATED',
      });
    }
    expect(await counts(queue)).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it('50 queued events from 20 users are delivered in a few /api/v2/batch requests', async () => {
    const { emulator, bridge, queue, start } = await setup({ start: false });
    for (let i = 0; i < 50; i++) {
      const answer = await receive(
        bridge,
        purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `user-${i % 20}` }),
      );
      expect(answer.outcome).toBe('queued');
    }
    expect(emulator.requests).toHaveLength(0);
    await start();
    await until(async () => (await counts(queue)).completed === 50);
    expect(emulator.events).toHaveLength(50);
    expect(emulator.people.size).toBe(20);
    expect(batchRequests(emulator)).toBeGreaterThanOrEqual(1);
    expect(batchRequests(emulator)).toBeLessThanOrEqual(3);
    expect(emulator.requests).toHaveLength(batchRequests(emulator));
  });

  it('permanent refusals become dead letters with their reason; replay after the fix delivers once; drop removes', async () => {
    const { emulator, bridge, queue, deadLetters } = await setup({ maxWaitMs: 20 });
    // An attribute over Customer.io's 1,000 bytes: refused for good, by the client, before sending.
    const tooBig = purchaselyEvent('SUBSCRIPTION_RENEWED', {
      user_id: 'u-big',
      plan: 'x'.repeat(1_001),
    });
    await receive(bridge, tooBig);
    await until(async () => (await counts(queue)).failed === 1);
    // Customer.io answering its JSON 400 to a batch: every event of it refused for good.
    emulator.faults.next(
      { match: { path: '/api/v2/batch' } },
      {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errors: [{ reason: 'invalid', message: 'refused for the test' }] }),
      },
    );
    const refused = purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: 'u-refused' });
    await receive(bridge, refused);
    await until(async () => (await counts(queue)).failed === 2);

    const letters = await deadLetters.list();
    expect(letters.map((letter) => letter.eventId).sort()).toEqual(
      [tooBig.event_id, refused.event_id].sort(),
    );
    for (const letter of letters) {
      expect(letter.reason).toMatch(/^customerio_rejected: /);
      expect(letter.attempts).toBe(1);
      expect(letter.failedAt).toBeGreaterThan(Date.now() - 60_000);
      expect(letter.key).toBe(letter.accepted.key);
      expect(letter.eventName).toBe(letter.accepted.event.event_name);
    }
    const refusedLetter = letters.find((letter) => letter.eventId === refused.event_id)!;
    expect(refusedLetter.reason).toContain('400');
    expect(refusedLetter.accepted.event).toMatchObject({ user_id: 'u-refused' });
    expect(emulator.events).toHaveLength(0);

    // The fault is gone (the cause fixed): the replayed event is delivered, once.
    expect(await deadLetters.replay(refusedLetter.key)).toBe(1);
    await until(async () => (await counts(queue)).completed === 1);
    expect(emulator.events.map((event) => event.personId)).toEqual(['u-refused']);
    expect((await deadLetters.list()).map((letter) => letter.eventId)).toEqual([tooBig.event_id]);
    expect(await deadLetters.replay(refusedLetter.key)).toBe(0);

    expect(await deadLetters.drop(tooBig.event_id!)).toBe(1);
    expect(await deadLetters.list()).toEqual([]);
    expect(await counts(queue)).toMatchObject({ failed: 0, waiting: 0, delayed: 0, completed: 1 });
    await sleep(300);
    expect(emulator.events).toHaveLength(1);
  });

  it('retries that run out become dead letters too, with the last reason; replay and drop work on all', async () => {
    const name = `q-${crypto.randomUUID()}`;
    const emulator = createCustomerIoEmulator();
    // 3 attempts in all: 50 ms, then 100 ms.
    const retry = { baseDelayMs: 50, maxDelayMs: 100, horizonMs: 150 };
    const queue = createBullMqQueue({ connection: connection(), name, retry });
    toClose.push(queue);
    expect(queue.attempts).toBe(3);
    const bridge = createPurchaselyBridge({
      webhookSecret: SECRET,
      customerio: {
        siteId: 'test-site',
        apiKey: 'test-key',
        region: 'us',
        fetch: emulator.fetch,
        rateLimit: false,
        retry: false,
      },
      queue,
      store: createRedisStore({ redis: fromIoredis(redis), prefix: `${name}:` }),
      logger: false,
    });
    toClose.push(
      await startDeliveryWorker({
        bridge,
        connection: connection(),
        name,
        retry,
        maxWaitMs: 20,
        onError: () => {},
      }),
    );
    const deadLetters = createDeadLetters({ connection: connection(), name });
    toClose.push(deadLetters);
    emulator.faults.random({ rate: 1, steps: [{ status: 503 }] });
    await receive(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'a' }));
    await receive(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'b' }));
    await until(async () => (await deadLetters.list()).length === 2);
    for (const letter of await deadLetters.list()) {
      expect(letter.attempts).toBe(3);
      expect(letter.reason).toMatch(/^retry \(unavailable\): /);
    }
    expect(await deadLetters.count()).toBe(2);
    const [first] = await deadLetters.list();
    expect(await deadLetters.get(first!.key)).toEqual(first);
    expect(await deadLetters.get('no-such-key')).toBeUndefined();
    emulator.faults.clear();
    expect(await deadLetters.replay('all')).toBe(2);
    await until(() => emulator.events.length === 2);
    expect(await deadLetters.list()).toEqual([]);

    emulator.faults.random({ rate: 1, steps: [{ status: 503 }] });
    await receive(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'c' }));
    await until(async () => (await deadLetters.list()).length === 1);
    expect(await deadLetters.drop('all')).toBe(1);
    expect(await deadLetters.list()).toEqual([]);
    expect(emulator.events).toHaveLength(2);
  });

  it('graceful close while a batch is in flight: the batch finishes, nothing lost or duplicated', async () => {
    const { emulator, bridge, queue, start } = await setup({ start: false });
    // Customer.io slow: the batch is still in flight when close() is called.
    emulator.faults.next({ match: { path: '/api/v2/batch' } }, { delayMs: 600 });
    const events = Array.from({ length: 10 }, (_, i) =>
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `user-${i}` }),
    );
    for (const event of events) await receive(bridge, event);
    const delivering = await start();
    await until(() => emulator.requests.length === 1);
    expect(emulator.requests[0]!.status).toBe(0);
    const closing = performance.now();
    await delivering.close();
    expect(performance.now() - closing).toBeGreaterThan(300);
    expect(emulator.requests.every((request) => request.status === 200)).toBe(true);
    const sent = emulator.requests.length;
    expect(emulator.events.map((event) => event.id).sort()).toHaveLength(10);
    expect(new Set(emulator.events.map((event) => event.id)).size).toBe(10);
    expect(await counts(queue)).toMatchObject({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
      completed: 10,
    });

    // A new worker finds nothing left to send.
    await start();
    await sleep(500);
    expect(emulator.events).toHaveLength(10);
    expect(emulator.requests).toHaveLength(sent);
  });

  it('enqueue rejects (receive answers 503) when Redis cannot take the events', async () => {
    const queue = createBullMqQueue({
      connection: {
        host: '127.0.0.1',
        port: 1,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      },
      name: 'nowhere',
      enqueueTimeoutMs: 500,
    });
    toClose.push({ close: () => queue.close().catch(() => {}) });
    const event = { key: 'evt_1' } as AcceptedEvent;
    await expect(queue.enqueue([event])).rejects.toThrow();
  });
});

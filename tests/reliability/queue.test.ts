/**
 * Part 5, queue mode: a burst of signed webhooks at two Express servers whose bridges run in queue mode on a
 * real `redis-server` (AOF on): store and shared rate limit on Redis, events handed to BullMQ, two workers
 * delivering to the Customer.io emulator over loopback under the default 100 requests/s.
 *
 * Every webhook must be answered 200 `queued` (the answer waits for Redis, never for Customer.io); then
 * every event must reach Customer.io exactly once (by event id, none ignored as a duplicate), none lost,
 * no dead letters. Figures: answer p50/p99, time to drain, Customer.io requests, events per request.
 *
 * Sizes: RELIABILITY_QUEUE_BURST (20,000), RELIABILITY_QUEUE_CONCURRENCY (256 webhooks in flight),
 * RELIABILITY_QUEUE_DRAIN_TIMEOUT_S (180).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createPurchaselyBridge } from '@purchasely-customerio/core';
import {
  createBullMqQueue,
  createDeadLetters,
  createRedisRateLimiter,
  createRedisStore,
  type DeliveryWorker,
  fromIoredis,
  startDeliveryWorker,
} from '@purchasely-customerio/redis';
import {
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../packages/redis/test/redis-server.js';
import {
  envInt,
  PATH,
  type RunningServer,
  recordFigures,
  SITE_ID,
  startServer,
  WEBHOOK_SECRET,
  WORKSPACE,
} from './helpers.js';

const BURST = envInt('RELIABILITY_QUEUE_BURST', 20_000);
const CONCURRENCY = envInt('RELIABILITY_QUEUE_CONCURRENCY', 256);
const DRAIN_TIMEOUT_MS = envInt('RELIABILITY_QUEUE_DRAIN_TIMEOUT_S', 180) * 1000;
const WARM_UP = 200;
const QUEUE_NAME = 'reliability-queue';
const REQUESTS_PER_SECOND = 100;

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? NaN;
const round1 = (value: number): number => Math.round(value * 10) / 10;

describe('queue mode: a burst on Redis and BullMQ', () => {
  const emulator = createCustomerIoEmulator({ workspaces: [WORKSPACE] });
  let customerio: LoopbackServer;
  let redisServer: RedisServer;
  const clients: Redis[] = [];
  const toClose: Array<{ close(): Promise<void> }> = [];
  const workers: DeliveryWorker[] = [];
  // Two receiving servers, as two web processes would run, each with its own bridge and Redis client.
  const servers: RunningServer[] = [];

  const connection = () => ({
    host: redisServer.host,
    port: redisServer.port,
    maxRetriesPerRequest: null,
  });

  /** One process's bridge: its own Redis client, the shared store, rate limit and queue. */
  function makeBridge() {
    const redis = new Redis({ host: redisServer.host, port: redisServer.port });
    clients.push(redis);
    const queue = createBullMqQueue({ connection: connection(), name: QUEUE_NAME });
    toClose.push(queue);
    return createPurchaselyBridge({
      logger: false,
      webhookSecret: WEBHOOK_SECRET,
      customerio: {
        ...WORKSPACE,
        baseUrl: customerio.url,
        rateLimit: createRedisRateLimiter({
          redis: fromIoredis(redis),
          workspace: SITE_ID,
          requestsPerSecond: REQUESTS_PER_SECOND,
        }),
      },
      queue,
      store: createRedisStore({ redis: fromIoredis(redis) }),
    });
  }

  beforeAll(async () => {
    redisServer = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'everysec']);
    customerio = await emulator.listen();
    for (let index = 0; index < 2; index += 1)
      servers.push(await startServer('express', makeBridge()));
    for (let index = 0; index < 2; index += 1) {
      workers.push(
        await startDeliveryWorker({
          bridge: makeBridge(),
          connection: connection(),
          name: QUEUE_NAME,
          onError: (error) => console.error(`[queue worker ${index}]`, error.message),
        }),
      );
    }
  });
  afterAll(async () => {
    for (const worker of workers) await worker.close().catch(() => {});
    for (const server of servers) await server.close();
    for (const closable of toClose) await closable.close().catch(() => {});
    for (const client of clients) client.disconnect();
    await customerio?.close();
    await redisServer?.stop();
  });

  /** Signs `count` distinct webhooks, one user each. */
  function sign(count: number, prefix: string) {
    return Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const event = purchaselyEvent('SUBSCRIPTION_RENEWED', {
          user_id: `${prefix}-${index}`,
          plan: index % 2 === 0 ? 'monthly' : 'yearly',
        });
        return {
          id: String(event.event_id),
          ...(await signedPurchaselyWebhook({ secret: WEBHOOK_SECRET, body: event })),
        };
      }),
    );
  }

  it(`a burst of ${BURST} webhooks: all answered 200 queued, then each event in Customer.io exactly once, none lost, no dead letters`, async () => {
    // Warm-up (JIT, connections, Lua scripts loaded), delivered and then forgotten by the emulator.
    const warmPools = servers.map((server) => new Pool(server.url, { connections: 16 }));
    for (const [index, webhook] of (await sign(WARM_UP, 'queue-warm')).entries()) {
      const response = await warmPools[index % warmPools.length]!.request({
        path: PATH,
        method: 'POST',
        headers: webhook.headers,
        body: webhook.body,
      });
      await response.body.dump();
    }
    for (const warmPool of warmPools) await warmPool.close();
    const warmDeadline = Date.now() + 30_000;
    while (emulator.events.length < WARM_UP && Date.now() < warmDeadline) await sleep(50);
    expect(emulator.events).toHaveLength(WARM_UP);
    emulator.reset();

    const webhooks = await sign(BURST, 'queue');
    // Sent alternately to the two servers, as a load balancer would.
    const pools = servers.map(
      (server) =>
        new Pool(server.url, { connections: Math.ceil(CONCURRENCY / 2), keepAliveTimeout: 30_000 }),
    );
    const latencies = new Float64Array(BURST);
    const answers: Record<string, number> = {};
    let next = 0;
    const sender = async () => {
      while (next < webhooks.length) {
        const index = next++;
        const webhook = webhooks[index]!;
        const sent = performance.now();
        let answer: string;
        try {
          const response = await pools[index % pools.length]!.request({
            path: PATH,
            method: 'POST',
            headers: webhook.headers,
            body: webhook.body,
          });
          const body = (await response.body.json()) as { status?: string };
          answer = `${response.statusCode}:${body.status}`;
        } catch (error) {
          answer = `error:${(error as { code?: string }).code ?? (error as Error).name}`;
        }
        latencies[index] = performance.now() - sent;
        answers[answer] = (answers[answer] ?? 0) + 1;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    const answeredMs = performance.now() - started;
    for (const pool of pools) await pool.close();

    // The drain: every event id at Customer.io (the workers run throughout the burst).
    const ids = new Set(webhooks.map((webhook) => webhook.id));
    const deliveredIds = () => {
      const seen = new Set<string>();
      for (const event of emulator.events) {
        const id = String(event.data.event_id);
        if (ids.has(id)) seen.add(id);
      }
      return seen.size;
    };
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (deliveredIds() < BURST && Date.now() < deadline) await sleep(50);
    const drainedMs = performance.now() - started;

    const counts = new Map<string, number>();
    for (const event of emulator.events) {
      const id = String(event.data.event_id);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const deliveredOnce = webhooks.filter((webhook) => counts.get(webhook.id) === 1).length;
    const lost = webhooks.filter((webhook) => !counts.has(webhook.id)).length;
    const deadLetters = createDeadLetters({ connection: connection(), name: QUEUE_NAME });
    const dead = await deadLetters.list({ limit: 1000 });
    await deadLetters.close();
    const batchRequests = emulator.requests.filter(
      (request) => request.path === '/api/v2/batch',
    ).length;
    latencies.sort();

    recordFigures('queue', {
      webhooks: BURST,
      concurrency: CONCURRENCY,
      workers: workers.length,
      answers: Object.entries(answers)
        .map(([answer, count]) => `${answer}:${count}`)
        .join(' '),
      answerP50Ms: round1(percentile(latencies, 50)),
      answerP99Ms: round1(percentile(latencies, 99)),
      answerMaxMs: round1(latencies[latencies.length - 1] ?? NaN),
      answeredSeconds: round1(answeredMs / 1000),
      webhooksPerSecond: Math.round(BURST / (answeredMs / 1000)),
      drainSeconds: round1(drainedMs / 1000),
      drainAfterLastAnswerSeconds: round1((drainedMs - answeredMs) / 1000),
      rateLimitPerSecond: REQUESTS_PER_SECOND,
      customerioRequests: emulator.requests.length,
      customerioBatchRequests: batchRequests,
      eventsPerRequest: round1(BURST / Math.max(1, batchRequests)),
      customerioRateLimited: emulator.stats.rateLimited,
      duplicatesIgnoredByCustomerio: emulator.stats.duplicateEvents,
      deliveredOnce,
      lost,
      deadLetters: dead.length,
    });

    expect(answers).toEqual({ '200:queued': BURST });
    expect(lost).toBe(0);
    expect(deliveredOnce).toBe(BURST);
    expect(emulator.stats.duplicateEvents).toBe(0);
    expect(dead).toHaveLength(0);
  });
});

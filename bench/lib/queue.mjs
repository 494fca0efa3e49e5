/**
 * 3 (queue mode) and 4. A burst of distinct signed webhooks at an Express server in queue mode (store,
 * shared rate limit and BullMQ queue on a real `redis-server` with AOF on, two worker processes), against
 * the Customer.io emulator limited to 100 requests/s (429 beyond) in its own process. Figures: the answers
 * and their latency (p50/p99), the time to drain the burst into Customer.io, the requests sent, the events
 * lost, and the server's resident set before, at peak and idle after. Then delivery throughput: the same
 * number of events queued while no worker runs, drained by fresh workers (events/s from the first delivered
 * to the last). For comparison, the same burst at a direct-mode server (defaults: 100 requests/s, 7 s
 * delivery budget) in the same run: how many are answered 503, and how fast.
 *
 * This file is also the child processes: `node queue.mjs server queue|direct` and
 * `node queue.mjs worker [batchSize]` (REDIS_PORT, CUSTOMERIO_BASE_URL, WEBHOOK_SECRET in the environment)
 * print `READY {…}` once up.
 * Sizes: BENCH_QUEUE_BURST (20,000; quick 1,000), BENCH_QUEUE_CONCURRENCY (256 webhooks in flight).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import {
  here,
  MB,
  PATH,
  percentile,
  round,
  rssBytes,
  SECRET,
  sampleRss,
  sizeFromEnv,
  spawnReady,
  startEmulator,
  WORKSPACE,
} from './common.mjs';
import { startRedis } from './redis.mjs';

const QUEUE_NAME = 'bench-queue';
const REQUESTS_PER_SECOND = 100;
const WORKERS = 2;
const BACKLOG_BATCH = 250;
const IDLE_MS = 2000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- the load generator -------------------------------------------------------------------------------

async function signWebhooks(count, tag) {
  const { purchaselyEvent, signedPurchaselyWebhook } = await import(
    '@purchasely-customerio/testing'
  );
  const webhooks = [];
  for (let index = 0; index < count; index++) {
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `user-${tag}-${index}` });
    webhooks.push(await signedPurchaselyWebhook({ secret: SECRET, body: event }));
  }
  return webhooks;
}

/**
 * Fires every webhook with `concurrency` in flight (closed loop), or, with `ratePerSecond`, each at its
 * scheduled time whatever is in flight (open loop, as Purchasely sends a wave); per-answer latency,
 * answers by `status:outcome`.
 */
async function fire(port, webhooks, concurrency, ratePerSecond) {
  const pool = new Pool(`http://127.0.0.1:${port}`, {
    connections: ratePerSecond ? 4096 : concurrency,
    keepAliveTimeout: 60_000,
  });
  const latencies = new Float64Array(webhooks.length);
  const answers = {};
  let next = 0;
  const sender = async () => {
    while (next < webhooks.length) await sendOne(next++);
  };
  const sendOne = async (index) => {
    const webhook = webhooks[index];
    const sent = performance.now();
    let answer;
    try {
      const { statusCode, body } = await pool.request({
        path: PATH,
        method: 'POST',
        headers: webhook.headers,
        body: webhook.body,
      });
      const parsed = await body.json().catch(() => ({}));
      answer = `${statusCode}:${parsed.reason ?? parsed.status ?? ''}`;
    } catch (error) {
      answer = `error:${error.code ?? error.name}`;
    }
    latencies[index] = performance.now() - sent;
    answers[answer] = (answers[answer] ?? 0) + 1;
  };
  const started = performance.now();
  if (ratePerSecond) {
    const inFlight = [];
    for (let index = 0; index < webhooks.length; index++) {
      const due = started + (index * 1000) / ratePerSecond;
      if (due > performance.now() + 1) await sleep(due - performance.now());
      inFlight.push(sendOne(index));
    }
    await Promise.all(inFlight);
  } else {
    await Promise.all(Array.from({ length: concurrency }, sender));
  }
  const elapsedMs = performance.now() - started;
  await pool.close();
  latencies.sort();
  const count = (prefix) =>
    Object.entries(answers)
      .filter(([answer]) => answer.startsWith(prefix))
      .reduce((sum, [, n]) => sum + n, 0);
  return {
    started,
    elapsedMs: round(elapsedMs, 1),
    perSecond: round((webhooks.length / elapsedMs) * 1000, 1),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    maxMs: round(latencies[latencies.length - 1], 2),
    answers,
    answered200: count('200:'),
    answered503: count('503:'),
  };
}

/**
 * Delivery throughput: `events` webhooks queued while no worker runs, then drained by `workers` fresh
 * worker processes (each with the worker's defaults unless `batchSize` is given): events per second from
 * the first event delivered to the last, under the emulator's 100 requests/s limit.
 */
async function drainBacklog({
  log,
  events,
  concurrency,
  queueServer,
  emulator,
  start,
  workers = WORKERS,
  batchSize,
  onQueued,
}) {
  await emulator.reset();
  const answers = await fire(
    queueServer.info.port,
    await signWebhooks(events, `backlog-${Date.now()}`),
    concurrency,
  );
  log(`  backlog of ${events} queued: ${JSON.stringify(answers.answers)}`);
  onQueued?.();
  for (let index = 0; index < workers; index++) {
    await start('worker', ...(batchSize === undefined ? [] : [String(batchSize)]));
  }
  let firstAt;
  let snapshot;
  const deadline = Date.now() + 600_000;
  for (;;) {
    snapshot = await emulator.snapshot();
    if (snapshot.events > 0) firstAt ??= performance.now();
    if (snapshot.events >= events || Date.now() > deadline) break;
    await sleep(20);
  }
  const elapsedMs = performance.now() - firstAt;
  const backlog = {
    events,
    workers,
    batchSize: batchSize ?? 'default',
    answered200: answers.answered200,
    elapsedMs: round(elapsedMs, 1),
    eventsPerSecond: round((snapshot.events / elapsedMs) * 1000, 0),
    eventsDelivered: snapshot.events,
    eventsLost: events - snapshot.events,
    requestsSent: snapshot.requests,
    requestsPerSecond: round((snapshot.requests / elapsedMs) * 1000, 1),
    received429: snapshot.statuses[429] ?? 0,
    eventsPerRequest: round(snapshot.events / Math.max(1, snapshot.requests), 1),
  };
  log(`  backlog drained: ${JSON.stringify(backlog)}`);
  return backlog;
}

/** A process's CPU time (user + system) in seconds, from /proc (Linux). */
function processCpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The processes of a queue-mode run: a redis-server, the emulator limited to 100 requests/s, and this
 * file's children started on demand (`start('server', mode)`, `start('worker', batchSize)`);
 * BENCH_WORKER_NODE_ARGS passes flags to the workers (`--cpu-prof --cpu-prof-dir=…`, say). `stop()` ends
 * them all, children first.
 */
async function startQueueRig() {
  const redis = await startRedis();
  const emulator = await startEmulator({ requestsPerSecond: REQUESTS_PER_SECOND });
  const children = [];
  const env = {
    REDIS_PORT: String(redis.port),
    CUSTOMERIO_BASE_URL: emulator.url,
    WEBHOOK_SECRET: SECRET,
  };
  const start = async (...args) => {
    const nodeArgs =
      args[0] === 'worker'
        ? (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean)
        : [];
    const started = await spawnReady(
      process.execPath,
      [...nodeArgs, here('./queue.mjs'), ...args],
      {
        env,
      },
    );
    children.push(started);
    return started;
  };
  const stop = async () => {
    for (const child of children.reverse()) await child.stop();
    await emulator.stop();
    await redis.stop();
  };
  return { redis, emulator, children, start, stop };
}

/**
 * The backlog drain alone (`node queue.mjs backlog [workers] [batchSize]`, BENCH_QUEUE_BURST events):
 * a quick way to measure the worker.
 */
export async function benchBacklog(log, { workers = WORKERS, batchSize } = {}) {
  const events = sizeFromEnv('BENCH_QUEUE_BURST', 20_000, 1_000);
  const concurrency = sizeFromEnv('BENCH_QUEUE_CONCURRENCY', 256, 256);
  const { redis, emulator, children, start, stop } = await startQueueRig();
  try {
    const queueServer = await start('server', 'queue');
    // BENCH_EMULATOR_DELAY_MS: every Customer.io answer takes this long (a real round trip is 50–300 ms).
    const delayMs = Number(process.env.BENCH_EMULATOR_DELAY_MS || 0);
    if (delayMs > 0) await emulator.delay(delayMs);
    // BENCH_REDIS_STATS=1: Redis's per-command counts during the drain (needs redis-cli).
    const stats = process.env.BENCH_REDIS_STATS === '1';
    let cpuBefore = 0;
    const redisCpu = () => {
      const info = redisCli('INFO', 'cpu');
      return (
        Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) +
        Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1])
      );
    };
    const redisCli = (...args) =>
      spawnSync('redis-cli', ['-p', String(redis.port), ...args], {
        maxBuffer: 2 ** 30,
      }).stdout.toString();
    const backlog = await drainBacklog({
      log,
      events,
      concurrency,
      queueServer,
      emulator,
      start,
      workers,
      batchSize,
      onQueued: () => {
        if (!stats) return;
        redisCli('CONFIG', 'RESETSTAT');
        redisCli('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
        redisCli('CONFIG', 'SET', 'slowlog-max-len', '1000000');
        redisCli('SLOWLOG', 'RESET');
        cpuBefore = redisCpu();
      },
    });
    if (stats) {
      const workerCpu = children
        .filter((child) => child.info.role === 'worker')
        .map((child) => processCpuSeconds(child.info.pid));
      log(
        `  CPU seconds during the drain: redis-server ${round(redisCpu() - cpuBefore, 2)}, workers ${workerCpu.map((cpu) => round(cpu, 2)).join(' + ')} (since start)`,
      );
      log(redisCli('INFO', 'commandstats'));
      // Every command's duration, grouped by command (a script by its keys, which name it).
      const entries = JSON.parse(redisCli('--json', 'SLOWLOG', 'GET', '-1'));
      const byCommand = new Map();
      for (const [, , micros, args] of entries) {
        const name =
          args[0].toLowerCase() === 'evalsha'
            ? `evalsha ${args[1].slice(0, 8)} (${args[2]} keys)`
            : args[0].toLowerCase();
        const entry = byCommand.get(name) ?? { calls: 0, micros: 0 };
        entry.calls++;
        entry.micros += micros;
        byCommand.set(name, entry);
      }
      for (const [name, { calls, micros }] of [...byCommand]
        .sort((a, b) => b[1].micros - a[1].micros)
        .slice(0, 15))
        log(
          `  ${name}: ${calls} calls, ${Math.round(micros / 1000)} ms, ${round(micros / calls, 1)} µs each`,
        );
    }
    return backlog;
  } finally {
    await stop();
  }
}

export async function benchQueue(log) {
  const burst = sizeFromEnv('BENCH_QUEUE_BURST', 20_000, 1_000);
  const concurrency = sizeFromEnv('BENCH_QUEUE_CONCURRENCY', 256, 256);
  const warmup = 200;
  const { emulator, children, start, stop } = await startQueueRig();
  const waitForEvents = async (count, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const snapshot = await emulator.snapshot();
      if (snapshot.events >= count || Date.now() > deadline) return snapshot;
      await sleep(50);
    }
  };
  try {
    const queueServer = await start('server', 'queue');
    for (let index = 0; index < WORKERS; index++) await start('worker');
    const directServer = await start('server', 'direct');

    // Warm-up of both servers (JIT, connections, Lua scripts), not measured.
    await fire(queueServer.info.port, await signWebhooks(warmup, 'warm-q'), 32);
    await waitForEvents(warmup, 30_000);
    await sleep(1000); // the rate limiter's schedule back to idle
    await fire(directServer.info.port, await signWebhooks(warmup, 'warm-d'), 8);
    await sleep(1000);

    // Queue mode: the burst, then the drain (the workers run throughout).
    await emulator.reset();
    const queueWebhooks = await signWebhooks(burst, 'queue');
    log(`  queue mode: ${burst} webhooks, ${concurrency} in flight`);
    const serverRssBefore = rssBytes(queueServer.info.pid);
    const rss = sampleRss(queueServer.info.pid);
    const queueRun = await fire(queueServer.info.port, queueWebhooks, concurrency);
    const serverRssPeak = rss.stop();
    log(
      `  queue mode answered in ${round(queueRun.elapsedMs / 1000, 1)} s: ${JSON.stringify(queueRun.answers)} p50 ${queueRun.p50Ms} ms p99 ${queueRun.p99Ms} ms`,
    );
    const drained = await waitForEvents(burst, 600_000);
    const drainMs = performance.now() - queueRun.started;
    await sleep(IDLE_MS);
    const serverRssIdle = rssBytes(queueServer.info.pid);
    log(
      `  drained in ${round(drainMs / 1000, 1)} s: ${drained.events} events, ${drained.requests} requests ${JSON.stringify(drained.statuses)}`,
    );
    const queue = {
      ...queueRun,
      started: undefined,
      drainMs: round(drainMs, 1),
      drainAfterLastAnswerMs: round(drainMs - queueRun.elapsedMs, 1),
      // The emulator ignores an event id it already has (counted apart), so its events are distinct ids.
      eventsDelivered: drained.events,
      eventsLost: burst - drained.events,
      duplicatesIgnored: drained.stats.duplicateEvents,
      requestsSent: drained.requests,
      received429: drained.statuses[429] ?? 0,
      eventsPerRequest: round(drained.events / Math.max(1, drained.requests), 1),
      requestsPerSecondDuringDrain: round(drained.requests / (drainMs / 1000), 1),
      // The receiving server's resident set (MB): before the burst, its peak, and idle after the drain.
      serverRss: {
        beforeMb: round(serverRssBefore / MB, 1),
        peakMb: round(serverRssPeak / MB, 1),
        idleAfterMb: round(serverRssIdle / MB, 1),
      },
    };

    // Delivery throughput: a backlog queued while no worker runs, drained by fresh workers.
    for (const worker of children.filter((child) => child.info.role === 'worker')) {
      await worker.stop();
    }
    await sleep(1000);
    const backlog = await drainBacklog({
      log,
      events: burst,
      concurrency,
      queueServer,
      emulator,
      start,
      batchSize: BACKLOG_BATCH,
    });

    // Direct mode, the same burst arriving at the rate queue mode took it (open loop: a wave does not slow
    // down for slow answers): answered after Customer.io has it, or 503 when it cannot fit in the 7 s budget.
    await sleep(1000);
    await emulator.reset();
    const directWebhooks = await signWebhooks(burst, 'direct');
    const offered = Math.round(queueRun.perSecond);
    log(`  direct mode: ${burst} webhooks arriving at ${offered}/s`);
    const directRun = await fire(directServer.info.port, directWebhooks, concurrency, offered);
    await sleep(1000);
    const directSnapshot = await emulator.snapshot();
    log(
      `  direct mode answered in ${round(directRun.elapsedMs / 1000, 1)} s: ${JSON.stringify(directRun.answers)} p50 ${directRun.p50Ms} ms p99 ${directRun.p99Ms} ms`,
    );
    const direct = {
      ...directRun,
      started: undefined,
      offeredPerSecond: offered,
      eventsDelivered: directSnapshot.events,
      requestsSent: directSnapshot.requests,
      received429: directSnapshot.statuses[429] ?? 0,
    };
    return {
      settings: {
        burst,
        concurrency,
        workers: WORKERS,
        emulatorRequestsPerSecond: REQUESTS_PER_SECOND,
        rateLimit: `${REQUESTS_PER_SECOND} requests/s, shared in Redis (GCRA)`,
        redis: 'redis-server, AOF on (appendfsync everysec)',
        runtime: process.version,
      },
      results: {
        queue,
        backlog,
        direct,
        ratios: {
          p50DirectOverQueue: round(direct.p50Ms / queue.p50Ms, 2),
          p99DirectOverQueue: round(direct.p99Ms / queue.p99Ms, 2),
          acceptedQueueOverDirect: round(queue.answered200 / Math.max(1, direct.answered200), 1),
        },
      },
    };
  } finally {
    await stop();
  }
}

// --- the child processes --------------------------------------------------------------------------------

async function runChild(role, mode) {
  const { createPurchaselyBridge } = await import('@purchasely-customerio/core');
  const redisPackage = await import('@purchasely-customerio/redis');
  const { Redis } = await import('ioredis');
  const port = Number(process.env.REDIS_PORT);
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const closing = [];
  const makeBridge = (queued) => {
    const redis = new Redis({ host: '127.0.0.1', port });
    closing.push({ close: async () => redis.disconnect() });
    const commands = redisPackage.fromIoredis(redis);
    const config = {
      logger: false,
      webhookSecret: process.env.WEBHOOK_SECRET,
      customerio: {
        ...WORKSPACE,
        baseUrl: process.env.CUSTOMERIO_BASE_URL,
        rateLimit: redisPackage.createRedisRateLimiter({
          redis: commands,
          workspace: WORKSPACE.siteId,
          requestsPerSecond: REQUESTS_PER_SECOND,
          prefix: queued ? 'bench:' : 'bench-direct:',
        }),
      },
      store: redisPackage.createRedisStore({
        redis: commands,
        prefix: queued ? 'bench:' : 'bench-direct:',
      }),
    };
    if (queued) {
      const queue = redisPackage.createBullMqQueue({ connection, name: QUEUE_NAME });
      closing.unshift(queue);
      config.queue = queue;
    }
    return createPurchaselyBridge(config);
  };

  let server;
  if (role === 'server') {
    const { default: express } = await import('express');
    const { purchaselyWebhook } = await import('@purchasely-customerio/adapters/express');
    const { createServer: createHttpServer } = await import('node:http');
    const app = express();
    app.post(PATH, purchaselyWebhook(makeBridge(mode === 'queue')));
    server = createHttpServer(app);
    server.keepAliveTimeout = 60_000;
    server.maxRequestsPerSocket = 0;
    await new Promise((resolve) =>
      server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
    );
    console.log(
      `READY ${JSON.stringify({ role, mode, port: server.address().port, pid: process.pid })}`,
    );
  } else if (role === 'worker') {
    const worker = await redisPackage.startDeliveryWorker({
      bridge: makeBridge(true),
      connection,
      name: QUEUE_NAME,
      ...(mode ? { batchSize: Number(mode) } : {}),
      // BENCH_WORKER_OPTIONS: more worker options as JSON (`{"concurrency":4}`, say), to try settings.
      ...JSON.parse(process.env.BENCH_WORKER_OPTIONS || '{}'),
      onError: (error) => console.error(`worker: ${error.message}`),
    });
    closing.unshift(worker);
    console.log(`READY ${JSON.stringify({ role, pid: process.pid })}`);
  } else {
    throw new Error(`unknown role ${role}`);
  }
  for (const signal of ['SIGTERM', 'SIGINT'])
    process.once(signal, async () => {
      if (server) {
        server.closeAllConnections();
        server.close();
      }
      for (const closable of closing) await closable.close().catch(() => {});
      process.exit(0);
    });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'backlog') {
    const [workers, batchSize] = process.argv.slice(3).map(Number);
    await benchBacklog(console.log, {
      ...(workers ? { workers } : {}),
      ...(batchSize ? { batchSize } : {}),
    });
  } else {
    await runChild(process.argv[2], process.argv[3]);
  }
}

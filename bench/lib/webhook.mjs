/**
 * 1 and 2. The webhook path, in direct mode and in queue mode: signed webhooks per second and answer latency
 * through each adapter (Express, Hono, fetch), each against a hand-written handler ON THE SAME FRAMEWORK
 * doing the minimum (direct: HMAC check, JSON.parse, one fetch to the emulator; queue: HMAC check,
 * JSON.parse, one Redis LPUSH). The load generator (this process), each server, the emulator and
 * redis-server are separate processes; every server runs every round, in a rotating order, so a noisy
 * neighbour hits all of them alike, and each ratio (ours ÷ hand-written, same framework) is taken inside a
 * round, then the median over rounds.
 */
import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { Pool } from 'undici';
import {
  here,
  median,
  medianBy,
  PATH,
  percentile,
  round,
  SECRET,
  sizeFromEnv,
  spawnReady,
  startEmulator,
} from './common.mjs';
import { redisCommand, startRedis } from './redis.mjs';

export const FRAMEWORKS = ['express', 'hono', 'fetch'];
const KINDS = FRAMEWORKS.flatMap((framework) => [`${framework}:ours`, `${framework}:hand`]);

/** Signs `count` distinct webhooks (distinct event_id and user), timestamped now. */
async function signWebhooks(count, tag) {
  const webhooks = [];
  for (let index = 0; index < count; index++) {
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `user-${tag}-${index}` });
    webhooks.push(await signedPurchaselyWebhook({ secret: SECRET, body: event }));
  }
  return webhooks;
}

/** Sends every webhook with at most `concurrency` in flight over keep-alive connections. */
async function drive(pool, webhooks, concurrency) {
  const latencies = new Float64Array(webhooks.length);
  const statuses = {};
  let next = 0;
  const worker = async () => {
    while (next < webhooks.length) {
      const index = next++;
      const webhook = webhooks[index];
      const started = performance.now();
      const { statusCode, body } = await pool.request({
        path: PATH,
        method: 'POST',
        headers: webhook.headers,
        body: webhook.body,
      });
      await body.text();
      latencies[index] = performance.now() - started;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort();
  return {
    requests: webhooks.length,
    elapsedMs: round(elapsedMs, 1),
    perSecond: round((webhooks.length / elapsedMs) * 1000, 1),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    statuses,
  };
}

/** `mode`: `direct` (section 1) or `queue` (section 2, with a redis-server of its own). */
export async function benchWebhooks(log, mode) {
  const count = sizeFromEnv('BENCH_WEBHOOKS', 1500, 300);
  const rounds = sizeFromEnv('BENCH_WEBHOOK_RUNS', 4, 2);
  const concurrency = sizeFromEnv('BENCH_CONCURRENCY', 32, 32);
  const warmup = Math.max(100, Math.floor(count / 5));
  const emulator = await startEmulator();
  const redis = mode === 'queue' ? await startRedis() : undefined;
  const servers = {};
  try {
    for (const kind of KINDS) {
      const [framework, impl] = kind.split(':');
      const started = await spawnReady(
        process.execPath,
        [here('./webhook-server.mjs'), framework, impl, mode],
        {
          env: {
            WEBHOOK_SECRET: SECRET,
            CUSTOMERIO_BASE_URL: emulator.url,
            REDIS_PORT: redis ? String(redis.port) : '',
            QUEUE_NAME: `bench-${framework}`,
          },
        },
      );
      const pool = new Pool(`http://127.0.0.1:${started.info.port}`, {
        connections: concurrency,
        pipelining: 1,
        keepAliveTimeout: 60_000,
      });
      servers[kind] = { ...started, pool };
    }

    const runs = Object.fromEntries(KINDS.map((kind) => [kind, []]));
    const ratios = Object.fromEntries(FRAMEWORKS.map((framework) => [framework, []]));
    let tag = 0;
    // Warm-up (JIT, connections, Redis scripts), not measured.
    for (const kind of KINDS) {
      await drive(servers[kind].pool, await signWebhooks(warmup, `w${tag++}`), concurrency);
    }
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      const order = KINDS.map((_, index) => KINDS[(index + roundIndex) % KINDS.length]);
      const inRound = {};
      for (const kind of order) {
        await emulator.reset();
        if (redis) await redisCommand(redis.port, 'FLUSHALL');
        const webhooks = await signWebhooks(count, `r${tag++}`);
        const run = await drive(servers[kind].pool, webhooks, concurrency);
        if (mode === 'direct') {
          const snapshot = await emulator.snapshot();
          run.delivered = snapshot.events;
        } else {
          run.delivered = undefined;
        }
        runs[kind].push(run);
        inRound[kind] = run;
        log(
          `  ${mode} round ${roundIndex + 1}/${rounds} ${kind.padEnd(13)} ${run.perSecond}/s p50 ${run.p50Ms} ms p99 ${run.p99Ms} ms ${JSON.stringify(run.statuses)}${mode === 'direct' ? ` stored ${run.delivered}` : ''}`,
        );
      }
      for (const framework of FRAMEWORKS) {
        ratios[framework].push(
          inRound[`${framework}:ours`].perSecond / inRound[`${framework}:hand`].perSecond,
        );
      }
    }

    const results = {};
    for (const framework of FRAMEWORKS) {
      const row = { ratio: round(median(ratios[framework]), 3) };
      row.ratiosPerRound = ratios[framework].map((ratio) => round(ratio, 3));
      for (const impl of ['ours', 'hand']) {
        const kind = `${framework}:${impl}`;
        const medianRun = medianBy(runs[kind], (run) => run.perSecond);
        row[impl] = {
          perSecond: medianRun.perSecond,
          p50Ms: round(median(runs[kind].map((run) => run.p50Ms)), 2),
          p99Ms: round(median(runs[kind].map((run) => run.p99Ms)), 2),
          // Every webhook answered 200 (and, in direct mode, stored by the emulator).
          allOk: runs[kind].every(
            (run) =>
              run.statuses[200] === run.requests &&
              (mode === 'queue' || run.delivered === run.requests),
          ),
          runs: runs[kind],
        };
      }
      results[framework] = row;
    }
    return {
      settings: {
        mode,
        webhooksPerRun: count,
        rounds,
        concurrency,
        warmup,
        serverRuntime: process.version,
        ...(redis ? { redis: redis.description } : {}),
      },
      results,
    };
  } finally {
    for (const server of Object.values(servers)) {
      await server.pool.close();
      await server.stop();
    }
    await emulator.stop();
    await redis?.stop();
  }
}

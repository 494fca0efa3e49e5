/**
 * 1. The webhook path: signed webhooks per second and latency through each adapter, against the
 * hand-written baseline, all forwarding to the same emulator over loopback. The load generator (this
 * process), each server and the emulator are separate processes; every server runs every round, in a
 * rotating order, so a noisy neighbour hits all of them alike, and each ratio is taken inside a round.
 */
import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { Pool } from 'undici';
import {
  here,
  median,
  medianBy,
  percentile,
  round,
  sizeFromEnv,
  spawnReady,
  startEmulator,
} from './common.mjs';

const SECRET = 'bench-webhook-secret';
const PATH = '/webhooks/purchasely';
export const WEBHOOK_KINDS = ['baseline', 'express', 'hono', 'fetch'];

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

export async function benchWebhooks(log) {
  const count = sizeFromEnv('BENCH_WEBHOOKS', 3000, 300);
  const rounds = sizeFromEnv('BENCH_WEBHOOK_RUNS', 5, 2);
  const concurrency = sizeFromEnv('BENCH_CONCURRENCY', 32, 32);
  const warmup = Math.min(count, QUICK_WARMUP(count));
  const emulator = await startEmulator();
  const servers = {};
  try {
    for (const kind of WEBHOOK_KINDS) {
      const started = await spawnReady(process.execPath, [here('./webhook-server.mjs'), kind], {
        env: { WEBHOOK_SECRET: SECRET, CUSTOMERIO_BASE_URL: emulator.url },
      });
      const pool = new Pool(`http://127.0.0.1:${started.info.port}`, {
        connections: concurrency,
        pipelining: 1,
        keepAliveTimeout: 60_000,
      });
      servers[kind] = { ...started, pool };
    }

    const runs = Object.fromEntries(WEBHOOK_KINDS.map((kind) => [kind, []]));
    const ratios = Object.fromEntries(WEBHOOK_KINDS.map((kind) => [kind, []]));
    let tag = 0;
    // Warm-up (JIT, connections), not measured.
    for (const kind of WEBHOOK_KINDS) {
      await drive(servers[kind].pool, await signWebhooks(warmup, `w${tag++}`), concurrency);
    }
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      const order = WEBHOOK_KINDS.map(
        (_, index) => WEBHOOK_KINDS[(index + roundIndex) % WEBHOOK_KINDS.length],
      );
      const inRound = {};
      for (const kind of order) {
        await emulator.reset();
        const webhooks = await signWebhooks(count, `r${tag++}`);
        const run = await drive(servers[kind].pool, webhooks, concurrency);
        const snapshot = await emulator.snapshot();
        run.emulatorEvents = snapshot.events;
        run.emulatorRequests = snapshot.requests;
        runs[kind].push(run);
        inRound[kind] = run;
        log(
          `  webhook round ${roundIndex + 1}/${rounds} ${kind.padEnd(8)} ${run.perSecond}/s p50 ${run.p50Ms} ms p99 ${run.p99Ms} ms ${JSON.stringify(run.statuses)} stored ${run.emulatorEvents}`,
        );
      }
      for (const kind of WEBHOOK_KINDS) {
        ratios[kind].push(inRound[kind].perSecond / inRound.baseline.perSecond);
      }
    }

    const results = {};
    for (const kind of WEBHOOK_KINDS) {
      const medianRun = medianBy(runs[kind], (run) => run.perSecond);
      results[kind] = {
        perSecond: medianRun.perSecond,
        p50Ms: medianRun.p50Ms,
        p99Ms: medianRun.p99Ms,
        ratioToBaseline: round(median(ratios[kind]), 3),
        ratiosPerRound: ratios[kind].map((ratio) => round(ratio, 3)),
        allOk: runs[kind].every(
          (run) => run.statuses[200] === run.requests && run.emulatorEvents === run.requests,
        ),
        runs: runs[kind],
      };
    }
    return {
      settings: {
        webhooksPerRun: count,
        rounds,
        concurrency,
        warmup,
        serverRuntime: process.version,
      },
      results,
    };
  } finally {
    for (const server of Object.values(servers)) {
      await server.pool.close();
      await server.stop();
    }
    await emulator.stop();
  }
}

function QUICK_WARMUP(count) {
  return Math.max(100, Math.floor(count / 5));
}

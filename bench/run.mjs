/**
 * `pnpm bench` (after `pnpm build`): every figure to results/latest.json and results/latest.md, and the
 * tables printed at the end. BENCH_QUICK=1 for a fast smoke run; BENCH_* sizes in lib/*.mjs.
 * Sections: BENCH_ONLY=webhook,webhook-queue,client,queue,backfill,size,memory (default all; the queue
 * sections need redis-server).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { benchBackfill } from './lib/backfill.mjs';
import { benchClients } from './lib/client.mjs';
import { QUICK } from './lib/common.mjs';
import { benchMemory } from './lib/memory.mjs';
import { benchQueue } from './lib/queue.mjs';
import { renderMarkdown } from './lib/report.mjs';
import { benchSize } from './lib/size.mjs';
import { benchWebhooks } from './lib/webhook.mjs';

const SECTIONS = [
  ['webhook', '1. webhook path, direct mode', (log) => benchWebhooks(log, 'direct')],
  ['webhook-queue', '2. webhook path, queue mode', (log) => benchWebhooks(log, 'queue')],
  ['client', '3. events per second, direct mode', benchClients],
  ['queue', '3-4. queue mode: burst, backlog, beside direct mode', benchQueue],
  ['size', '5-6. bundle size and start-up', benchSize],
  ['memory', '7. memory', benchMemory],
  ['backfill', 'the standalone batcher: backfill', benchBackfill],
];

const started = performance.now();
const only = new Set(
  (process.env.BENCH_ONLY || SECTIONS.map(([name]) => name).join(','))
    .split(',')
    .map((name) => name.trim()),
);
const unknown = [...only].filter((name) => !SECTIONS.some(([known]) => known === name));
if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}`);
const log = (line) => console.log(line);
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

const results = {
  command: 'pnpm bench',
  quick: QUICK,
  date: new Date().toISOString(),
  machine: {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((load) => Number(load.toFixed(2))),
  },
  sections: {},
};
for (const [name, title, run] of SECTIONS) {
  if (!only.has(name)) continue;
  log(title);
  const sectionStarted = performance.now();
  results[name] = await run(log);
  results.sections[name] = Math.round((performance.now() - sectionStarted) / 1000);
  log(`  done at ${elapsed()}`);
}
results.machine.loadAverageAtEnd = loadavg().map((load) => Number(load.toFixed(2)));
results.totalSeconds = Math.round((performance.now() - started) / 1000);

const markdown = renderMarkdown(results);
const out = new URL('./results/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('latest.json', out), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(new URL('latest.md', out), markdown);
console.log(`\n${markdown}`);
console.log(
  `Written: bench/results/latest.json, bench/results/latest.md (${results.totalSeconds} s)`,
);

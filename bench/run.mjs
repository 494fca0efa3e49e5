/**
 * `pnpm bench` (after `pnpm build`): every figure to results/latest.json and results/latest.md, and the
 * table printed at the end. BENCH_QUICK=1 for a fast smoke run; BENCH_* sizes in lib/*.mjs.
 * Sections: BENCH_ONLY=webhook,client,backfill,size,queue (default all; queue needs redis-server).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { benchBackfill } from './lib/backfill.mjs';
import { benchClients } from './lib/client.mjs';
import { QUICK } from './lib/common.mjs';
import { benchQueue } from './lib/queue.mjs';
import { renderMarkdown } from './lib/report.mjs';
import { benchSize } from './lib/size.mjs';
import { benchWebhooks } from './lib/webhook.mjs';

const started = performance.now();
const only = new Set((process.env.BENCH_ONLY || 'webhook,client,backfill,size,queue').split(','));
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
  },
};
if (only.has('webhook')) {
  log('1/5 webhook path');
  results.webhook = await benchWebhooks(log);
  log(`  done at ${elapsed()}`);
}
if (only.has('client')) {
  log('2/5 Track client');
  results.client = await benchClients(log);
  log(`  done at ${elapsed()}`);
}
if (only.has('backfill')) {
  log('3/5 backfill');
  results.backfill = await benchBackfill(log);
  log(`  done at ${elapsed()}`);
}
if (only.has('size')) {
  log('4/5 size and start-up');
  results.size = await benchSize(log);
  log(`  done at ${elapsed()}`);
}
if (only.has('queue')) {
  log('5/5 queue mode (Redis + BullMQ)');
  results.queue = await benchQueue(log);
  log(`  done at ${elapsed()}`);
}
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

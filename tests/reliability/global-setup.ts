import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const results = new URL('./results/', import.meta.url);
const parts = new URL('./parts/', results);
const ORDER = ['faults', 'bad-input', 'load', 'queue', 'security'];

/** The figures a reader of the README wants, picked from each part (see each test file for all of them). */
const SUMMARY: Array<[label: string, part: string, key: string]> = [
  ['events', 'faults', 'events'],
  ['users', 'faults', 'users'],
  ['faults injected', 'faults', 'faultsInjected'],
  ['re-deliveries', 'faults', 'redeliveries'],
  ['duplicates absorbed by Customer.io', 'faults', 'duplicatesAbsorbed'],
  ['re-deliveries absorbed by the bridge', 'faults', 'bridgeDuplicates'],
  ['lost', 'faults', 'lost'],
  ['inputs tried', 'bad-input', 'inputsTried'],
  ['authentic events forwarded', 'bad-input', 'forwarded'],
  ['unhandled rejections', 'bad-input', 'unhandledRejections'],
  ['5xx answers', 'bad-input', 'serverErrors'],
  ['load size', 'load', 'webhooks'],
  ['load lost', 'load', 'lost'],
  ['heap before (MB)', 'load', 'heapBeforeMb'],
  ['heap after (MB)', 'load', 'heapAfterMb'],
  ['queue-mode burst', 'queue', 'webhooks'],
  ['queue-mode answer p99 (ms)', 'queue', 'answerP99Ms'],
  ['queue-mode drain (s)', 'queue', 'drainSeconds'],
  ['queue-mode Customer.io requests', 'queue', 'customerioRequests'],
  ['queue-mode lost', 'queue', 'lost'],
  ['security checks', 'security', 'checks'],
  ['secret leaks', 'security', 'secretLeaks'],
];

let started = 0;

export function setup(): void {
  started = performance.now();
  rmSync(parts, { recursive: true, force: true });
  mkdirSync(parts, { recursive: true });
}

/** Prints the figures of every part that ran and writes them to `results/latest.json`. */
export function teardown(): void {
  if (!existsSync(parts)) return;
  const byPart: Record<string, Record<string, unknown>> = {};
  const names = readdirSync(parts)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort((a, b) => rank(a) - rank(b));
  for (const name of names) {
    byPart[name] = JSON.parse(readFileSync(new URL(`${name}.json`, parts), 'utf8'));
  }
  const totalSeconds = Math.round((performance.now() - started) / 100) / 10;
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    totalSeconds,
    parts: byPart,
  };
  writeFileSync(new URL('latest.json', results), `${JSON.stringify(report, null, 2)}\n`);

  const rows = SUMMARY.filter(([, part, key]) => byPart[part]?.[key] !== undefined).map(
    ([label, part, key]) => [label, String(byPart[part]?.[key])] as const,
  );
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  console.log(
    [
      '',
      `Reliability figures (${report.platform}, ${report.cpus} CPUs, Node ${report.node}, ${totalSeconds} s)`,
      '',
      `| ${'figure'.padEnd(width)} | value |`,
      `| ${'-'.repeat(width)} | ----- |`,
      ...rows.map(([label, value]) => `| ${label.padEnd(width)} | ${value} |`),
      '',
      'Written to tests/reliability/results/latest.json',
      '',
    ].join('\n'),
  );
}

function rank(name: string): number {
  const index = ORDER.indexOf(name);
  return index === -1 ? ORDER.length : index;
}

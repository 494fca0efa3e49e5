/**
 * The `backfill` command's throughput under Customer.io's 100 requests/s (after `pnpm build`):
 * `node bench/backfill-command.mjs [rows] [people]`. The command runs as a real process against the
 * emulator's loopback server, which answers 429 past 100 requests in a second, so a 429 count above zero
 * would mean the command outran its limit. Prints one JSON line per configuration.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCustomerIoEmulator, purchaselyEvent } from '@purchasely-customerio/testing';

const rows = Number(process.argv[2] ?? 10_000);
const peopleCount = Number(process.argv[3] ?? 2_500);
const cli = fileURLToPath(new URL('../packages/cli/dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bench-backfill-'));
const file = join(dir, 'history.ndjson');
const lines = [];
for (let index = 0; index < rows; index++) {
  const person = index % peopleCount;
  lines.push(
    JSON.stringify(
      purchaselyEvent(index < peopleCount ? 'SUBSCRIPTION_STARTED' : 'SUBSCRIPTION_RENEWED', {
        user_id: `user-${person}`,
        purchasely_subscription_id: `subs-${person}`,
        event_created_at_ms: Date.UTC(2023, 0, 1) + index * 60_000,
      }),
    ),
  );
}
writeFileSync(file, `${lines.join('\n')}\n`);

const configurations = [
  { name: 'attributes only (defaults: 100 people per delivery, 4 in flight)', args: [] },
  { name: '--events (defaults)', args: ['--events'] },
  {
    name: 'attributes only, --chunk-size 10 (more, smaller requests)',
    args: ['--chunk-size', '10'],
  },
];
for (const [index, configuration] of configurations.entries()) {
  const emulator = createCustomerIoEmulator({ rateLimit: { requestsPerSecond: 100 } });
  const server = await emulator.listen();
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        cli,
        'backfill',
        file,
        '--checkpoint',
        join(dir, `checkpoint-${index}.json`),
        '--rate-limit',
        '100',
        '--base-url',
        server.url,
        '--site-id',
        'test-site',
        '--api-key',
        'test-key',
        ...configuration.args,
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    child.on('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  const people = [...emulator.people.values()];
  console.log(
    JSON.stringify({
      configuration: configuration.name,
      exitCode: code,
      rows,
      people: people.length,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSecond: Math.round(rows / seconds),
      peoplePerSecond: Math.round(people.length / seconds),
      requests: emulator.requests.length,
      requestsPerSecond: Number((emulator.requests.length / seconds).toFixed(1)),
      rateLimited429: emulator.stats.rateLimited,
      events: emulator.events.length,
      everyoneOnce: people.every((person) => person.updates.length === 1),
    }),
  );
  await server.close();
}

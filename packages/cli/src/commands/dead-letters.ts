import type { DeadLetter } from '@purchasely-customerio/redis';
import type { CAC } from 'cac';
import type { Env } from '../customerio-settings.js';
import {
  type DeadLetterFilter,
  describeFilter,
  type FilterFlags,
  filterFromFlags,
  isFiltering,
  matches,
} from '../dead-letters/filter.js';
import { type OpenDeadLetters, openDeadLetters } from '../dead-letters/open.js';
import { formatTable } from '../dead-letters/table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { type RedisFlags, redisLocation, withRedisOptions } from '../redis-location.js';

interface DeadLetterFlags extends FilterFlags, RedisFlags {
  json?: boolean;
  limit?: unknown;
  yes?: boolean;
}

const ACTIONS = ['list', 'show', 'replay', 'drop'] as const;
type Action = (typeof ACTIONS)[number];

export function registerDeadLetters(cli: CAC): void {
  const command = cli.command(
    'dead-letters <action> [key]',
    "Queue mode's dead letters in Redis: list, show <key>, replay [key], drop [key]",
  );
  withRedisOptions(command)
    .option(
      '--event <name>',
      'Only this Purchasely event name (repeat or comma-separate for several)',
    )
    .option(
      '--reason <text>',
      'Only reasons containing this text, any case (customerio_rejected, 400, …)',
    )
    .option('--since <time>', 'Only those failed at or after this time (ISO date or epoch ms)')
    .option('--until <time>', 'Only those failed before this time (ISO date or epoch ms)')
    .option('--limit <n>', 'list: at most this many, newest first', { default: 50 })
    .option('--json', 'list, show: JSON (list: one object per line)')
    .option('--yes', 'drop: drop every dead letter that matches (without a key)')
    .example('  purchasely-customerio dead-letters list')
    .example('  purchasely-customerio dead-letters list --reason customerio_rejected --json')
    .example('  purchasely-customerio dead-letters show 9a1c6f1e-2d4b-4f55-9a57-0e3c2b1d7f10')
    .example(
      '  purchasely-customerio dead-letters replay --event SUBSCRIPTION_RENEWED --since 2024-05-01',
    )
    .example(
      '  purchasely-customerio dead-letters drop --reason "retry (" --until 2024-04-01 --yes',
    )
    .action((action: string, key: string | undefined, flags: DeadLetterFlags) =>
      runDeadLetters(action, key, flags, process.env),
    );
}

async function runDeadLetters(
  action: string,
  key: string | undefined,
  flags: DeadLetterFlags,
  env: Env,
): Promise<number> {
  if (!(ACTIONS as readonly string[]).includes(action))
    throw new UsageError(
      `unknown action ${JSON.stringify(action)}: expected ${ACTIONS.join(', ')}`,
    );
  const filter = filterFromFlags(flags);
  // `all` is not a key (the Redis package's API reads it as every dead letter): here it means every one that
  // matches, so `drop all` needs --yes like `drop`.
  const keyText = key === undefined || String(key) === 'all' ? undefined : String(key);
  checkUsage(action as Action, keyText, filter, flags);
  const location = redisLocation(flags, env);
  const opened = await openDeadLetters(location);
  try {
    switch (action as Action) {
      case 'list':
        return await list(opened, filter, flags);
      case 'show':
        return await show(opened, keyText as string, flags);
      case 'replay':
        return await act(opened, 'replay', keyText, filter);
      case 'drop':
        return await act(opened, 'drop', keyText, filter);
    }
  } finally {
    await opened.close();
  }
}

function checkUsage(
  action: Action,
  key: string | undefined,
  filter: DeadLetterFilter,
  flags: DeadLetterFlags,
): void {
  if (action === 'show' && key === undefined) throw new UsageError('dead-letters show needs a key');
  if (action === 'list' && key !== undefined)
    throw new UsageError('dead-letters list takes no key: use show <key>');
  if (key !== undefined && isFiltering(filter))
    throw new UsageError('give a key or filters (--event, --reason, --since, --until), not both');
  if (action === 'drop' && key === undefined && !flags.yes)
    throw new UsageError(
      `dead-letters drop deletes for good: give a key, or --yes to drop every dead letter that matches (${describeFilter(filter)})`,
    );
}

async function list(
  opened: OpenDeadLetters,
  filter: DeadLetterFilter,
  flags: DeadLetterFlags,
): Promise<number> {
  const limit = Number(flags.limit);
  if (!(Number.isInteger(limit) && limit > 0))
    throw new UsageError('--limit must be a whole number above 0');
  const all = await opened.all();
  const matching = all.filter((letter) => matches(letter, filter));
  const shown = matching.slice(0, limit);
  if (flags.json) {
    for (const letter of shown) process.stdout.write(`${JSON.stringify(summaryOf(letter))}\n`);
    return EXIT.ok;
  }
  if (shown.length === 0) {
    process.stdout.write(
      all.length === 0
        ? 'No dead letters.\n'
        : `No dead letters match (${describeFilter(filter)}); ${all.length} in all.\n`,
    );
    return EXIT.ok;
  }
  process.stdout.write(`${formatTable(shown)}\n`);
  process.stdout.write(
    `${shown.length} shown of ${matching.length} matching (${describeFilter(filter)}), ${all.length} dead letters in all.\n`,
  );
  return EXIT.ok;
}

/** A dead letter without its payload: what `list --json` prints. */
function summaryOf(letter: DeadLetter) {
  return {
    key: letter.key,
    eventId: letter.eventId,
    eventName: letter.eventName,
    customerioEvent: letter.customerioEvent,
    reason: letter.reason,
    attempts: letter.attempts,
    failedAt: letter.failedAt === undefined ? null : new Date(letter.failedAt).toISOString(),
  };
}

async function show(opened: OpenDeadLetters, key: string, flags: DeadLetterFlags): Promise<number> {
  const letter = await opened.deadLetters.get(key);
  if (!letter) {
    process.stderr.write(`No dead letter with key ${key}.\n`);
    return EXIT.failure;
  }
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ ...summaryOf(letter), accepted: letter.accepted }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  const summary = summaryOf(letter);
  const identity = letter.accepted.identity;
  process.stdout.write(
    [
      `Key:              ${summary.key}`,
      `Event:            ${summary.eventName} (sent to Customer.io as ${summary.customerioEvent})`,
      `Event id:         ${summary.eventId}`,
      `Workspace:        ${letter.accepted.workspace}`,
      `Person:           ${JSON.stringify(identity)}`,
      `Attempts:         ${summary.attempts}`,
      `Failed at:        ${summary.failedAt ?? '-'}`,
      `Reason:           ${summary.reason}`,
      'Payload:',
      JSON.stringify(letter.accepted.event, null, 2),
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}

async function act(
  opened: OpenDeadLetters,
  action: 'replay' | 'drop',
  key: string | undefined,
  filter: DeadLetterFilter,
): Promise<number> {
  const done = action === 'replay' ? 'Replayed' : 'Dropped';
  if (key !== undefined) {
    const count = await opened.deadLetters[action](key);
    if (count === 0) {
      process.stderr.write(`No dead letter with key ${key}.\n`);
      return EXIT.failure;
    }
    process.stdout.write(`${done} ${key}.\n`);
    return EXIT.ok;
  }
  const all = await opened.all();
  const chosen = all.filter((letter) => matches(letter, filter));
  const progress = createProgress({ unit: 'dead letters', total: chosen.length });
  let acted = 0;
  let skipped = 0;
  for (const letter of chosen) {
    // 0 when another process replayed or dropped it since it was listed: skipped, not an error.
    if ((await opened.deadLetters[action](letter.key)) === 1) acted++;
    else skipped++;
    progress.update(acted + skipped, { [done.toLowerCase()]: acted, skipped });
  }
  progress.stop();
  process.stdout.write(
    `${done} ${acted}, skipped ${skipped} (no longer dead letters); ${chosen.length} matched (${describeFilter(filter)}) of ${all.length}.\n`,
  );
  return EXIT.ok;
}

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CAC } from 'cac';
import { type MappingConfig, runBackfill } from '../backfill/run-backfill.js';
import { BackfillStop, stopOnSignals } from '../backfill/stop.js';
import { formatSummary } from '../backfill/summary.js';
import {
  type CustomerIoFlags,
  customerIoOptions,
  withCustomerIoOptions,
} from '../customerio-settings.js';
import { EXIT, UsageError } from '../exit-codes.js';

interface BackfillFlags extends CustomerIoFlags {
  format?: string;
  checkpoint?: string;
  failed?: string;
  dryRun?: boolean;
  events?: boolean;
  chunkSize?: string | number;
  concurrency?: string | number;
  retries?: string | number;
  config?: string;
}

/** `backfill <file>`: historical data into Customer.io, through the live mapping. See the package README. */
export function registerBackfill(cli: CAC): void {
  const command = cli.command(
    'backfill <file>',
    'Send historical data (archived webhooks as NDJSON, or a CSV) to Customer.io',
  );
  withCustomerIoOptions(command)
    .option('--format <format>', 'ndjson or csv (default: from the file name, .csv is CSV)')
    .option('--dry-run', 'Print what would be sent; send nothing, write nothing')
    .option(
      '--events',
      'Send Customer.io events too, with their original time and deterministic ids (default: attributes only)',
    )
    .option('--checkpoint <path>', 'Progress file for resuming (default: <file>.checkpoint.json)')
    .option(
      '--failed <path>',
      'NDJSON list of the rows that failed and why (default: <file>.failed.ndjson)',
    )
    .option(
      '--config <module>',
      "A module whose default export holds the live bridge's events, names, userProperties, identify, sandbox",
    )
    .option('--chunk-size <people>', 'People per delivery (one attribute update each)', {
      default: 100,
    })
    .option('--concurrency <n>', 'Deliveries in flight', { default: 4 })
    .option(
      '--retries <n>',
      'Retries of a transient Customer.io failure, with backoff, before a row fails',
      { default: 5 },
    )
    .example(
      '  purchasely-customerio backfill archive/purchasely-webhooks-2024-05-01.ndjson --dry-run',
    )
    .example('  purchasely-customerio backfill subscriptions.csv --site-id $SITE --api-key $KEY')
    .example(
      '  purchasely-customerio backfill history.ndjson --events   # resumes from history.ndjson.checkpoint.json',
    )
    .action(async (file: string, flags: BackfillFlags) => {
      const format = flags.format ?? (file.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson');
      if (format !== 'csv' && format !== 'ndjson') {
        throw new UsageError(`--format must be ndjson or csv (got ${JSON.stringify(format)})`);
      }
      const customerio = flags.dryRun ? undefined : customerIoOptions(flags, process.env);
      const stop = new BackfillStop();
      const stopListening = stopOnSignals(stop, process.stderr);
      try {
        const summary = await runBackfill({
          file,
          format,
          checkpointPath: flags.checkpoint ?? `${file}.checkpoint.json`,
          failedPath: flags.failed ?? `${file}.failed.ndjson`,
          dryRun: flags.dryRun === true,
          events: flags.events === true,
          chunkSize: positiveInteger(flags.chunkSize, '--chunk-size'),
          concurrency: positiveInteger(flags.concurrency, '--concurrency'),
          retries: positiveInteger(flags.retries, '--retries', true),
          retryBaseMs: 1000,
          ...(customerio ? { customerio } : {}),
          ...(flags.config ? { mapping: await loadMapping(flags.config) } : {}),
          out: process.stdout,
          stop,
        });
        process.stdout.write(formatSummary(summary));
        return summary.failed > 0 || summary.status === 'interrupted' ? EXIT.failure : EXIT.ok;
      } finally {
        stopListening();
      }
    });
}

function positiveInteger(value: unknown, flag: string, zero = false): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < (zero ? 0 : 1)) {
    throw new UsageError(`${flag} must be a ${zero ? 'non-negative' : 'positive'} integer`);
  }
  return number;
}

const MAPPING_KEYS = ['events', 'names', 'userProperties', 'identify', 'sandbox'] as const;

/** The live bridge's mapping settings from a module, so backfilled people get the same attributes. */
async function loadMapping(path: string): Promise<MappingConfig> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
  } catch (error) {
    throw new UsageError(
      `--config ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const config = module.default;
  if (typeof config !== 'object' || config === null) {
    throw new UsageError(
      `--config ${path}: the default export must be an object of bridge settings`,
    );
  }
  const mapping: Record<string, unknown> = {};
  for (const key of MAPPING_KEYS) {
    if (key in config) mapping[key] = (config as Record<string, unknown>)[key];
  }
  return mapping as MappingConfig;
}

import { appendFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type AcceptedEvent,
  type CustomerIoClientOptions,
  createMemoryStore,
  createPurchaselyBridge,
  type DeliveryOutcome,
  type PurchaselyBridge,
  type PurchaselyBridgeConfig,
} from '@purchasely-customerio/core';
import { createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { UsageError } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { type Checkpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { HeldRows } from './held-rows.js';
import { checkSourceFile, fingerprint, openSource, type SourceFormat } from './read-source.js';
import { BackfillStop } from './stop.js';
import type { BackfillSummary } from './summary.js';

/** The mapping settings a backfill may share with the live bridge (`--config`). */
export type MappingConfig = Pick<
  PurchaselyBridgeConfig,
  'events' | 'names' | 'userProperties' | 'identify' | 'sandbox'
>;

export interface BackfillOptions {
  file: string;
  format: SourceFormat;
  checkpointPath: string;
  failedPath: string;
  dryRun: boolean;
  /** Send Customer.io events too, not only attribute updates. */
  events: boolean;
  /** People per `deliver` call: each gets one attribute update in it. */
  chunkSize: number;
  /** `deliver` calls in flight. */
  concurrency: number;
  /** Attempts after the first for events Customer.io could not take for now. */
  retries: number;
  retryBaseMs: number;
  /** Customer.io; unused (and not needed) in a dry run. */
  customerio?: CustomerIoClientOptions;
  mapping?: MappingConfig;
  out: NodeJS.WritableStream;
  progressStream?: NodeJS.WriteStream;
  /** Asks the run to stop after the chunks in flight (the command wires it to SIGINT and SIGTERM). */
  stop?: BackfillStop;
}

export interface FailedRow {
  row: number;
  reason: string;
  message: string;
  body?: string;
  record?: unknown;
}

/** How many operations a dry run prints. */
const SHOWN_OPERATIONS = 3;
/** How many failed rows the summary prints (the `--failed` file lists them all). */
const SHOWN_FAILURES = 10;

/**
 * The backfill: reads every row, runs it through `bridge.accept` (the live policy), groups the accepted
 * rows by person, and delivers people in chunks (`bridge.deliver`, one attribute update per person),
 * writing a checkpoint after each acknowledged chunk. Returns the summary; the command prints it.
 *
 * Only each accepted row's place in the file is held (see `HeldRows`): a chunk's rows are read and accepted
 * again just before their delivery, so memory stays at some tens of bytes a row.
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillSummary> {
  const { out } = options;
  const stop = options.stop ?? new BackfillStop();
  /** The checkpoint and `--failed` writes, one after the other, in the order of the chunks acknowledged. */
  let saving: Promise<void> = Promise.resolve();
  stop.saveAcknowledged = () => saving.catch(() => {});
  await checkSourceFile(options.file);
  (options.progressStream ?? process.stderr).write(`Reading ${options.file} …\n`);
  const source = { path: resolve(options.file), ...(await fingerprint(options.file)) };
  let checkpoint = await readCheckpoint(options.checkpointPath);
  if (checkpoint) {
    if (checkpoint.source.sha256 !== source.sha256) {
      throw new UsageError(
        `the checkpoint ${options.checkpointPath} belongs to another file (or this one changed since); delete it to start over, or pass another --checkpoint`,
      );
    }
    if (checkpoint.events !== options.events) {
      throw new UsageError(
        `the checkpoint ${options.checkpointPath} was made ${checkpoint.events ? 'with' : 'without'} --events; resume the same way, or delete it to start over`,
      );
    }
  }

  const requests = { count: 0 };
  const { bridge, emulator } = createBackfillBridge(options, requests);
  const summary: BackfillSummary = {
    file: options.file,
    dryRun: options.dryRun,
    events: options.events,
    rowsRead: 0,
    people: 0,
    peopleUpdated: 0,
    eventsSent: 0,
    skipped: {},
    failed: 0,
    requests: 0,
    resumedFrom: checkpoint?.peopleDone ?? 0,
    status: 'finished',
    elapsedMs: 0,
  };
  if (checkpoint?.finished) {
    out.write(
      `Already finished (checkpoint ${options.checkpointPath}, ${checkpoint.updatedAt}): nothing to do. Delete the checkpoint to run it again.\n`,
    );
    return { ...summary, status: 'already_finished', ...fromTotals(checkpoint) };
  }

  const started = Date.now();
  const held = new HeldRows();
  let seen = new Set<string>();
  const reader = openSource(options.file, options.format);
  const readFailures: FailedRow[] = [];
  const skip = (reason: string) => {
    summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
  };
  for await (const item of reader.rows()) {
    summary.rowsRead++;
    if ('failure' in item) {
      readFailures.push({ row: item.row, ...item.failure });
      continue;
    }
    const result = await bridge.accept(item.body);
    switch (result.status) {
      case 'accepted': {
        const { event } = result;
        if (seen.has(event.key)) {
          // The archive keeps re-deliveries too; the event goes out once.
          skip('duplicate');
          continue;
        }
        seen.add(event.key);
        held.add(personKeyOf(event), event.identity.kind === 'anonymous', item);
        break;
      }
      case 'skipped':
        skip(result.reason);
        break;
      case 'invalid':
        readFailures.push({
          row: item.row,
          reason: result.code,
          message: result.message,
          body: item.body,
        });
        break;
      case 'identify_failed':
        readFailures.push({
          row: item.row,
          reason: 'identify_failed',
          message: result.error instanceof Error ? result.error.message : String(result.error),
          body: item.body,
        });
        break;
    }
  }
  // Duplicates are told apart while reading only; people are known by number from now on.
  seen = new Set();
  held.doneReading();
  const peopleCount = held.peopleCount;
  summary.people = held.namedPeopleOf(0, peopleCount);
  const people = { count: peopleCount, orderSha256: held.peopleOrderSha256 };
  if (checkpoint) {
    if (checkpoint.people) checkSamePeople(options.checkpointPath, checkpoint, people);
    else {
      out.write(
        `The checkpoint ${options.checkpointPath} records no people order (it was written by an older version): resuming without checking that --config is unchanged.\n`,
      );
      checkpoint = { ...checkpoint, people };
    }
  }
  const start = checkpoint?.peopleDone ?? 0;
  if (start > peopleCount) {
    throw new UsageError(`the checkpoint ${options.checkpointPath} does not match this file`);
  }

  const freshTotals = {
    peopleUpdated: 0,
    eventsSent: 0,
    failedRows: readFailures.length,
    nothingToSend: 0,
  };
  if (!options.dryRun && !checkpoint) {
    // A fresh run: the failures of reading are listed once, before the first checkpoint.
    await rm(options.failedPath, { force: true });
    await appendFailures(options.failedPath, readFailures);
    checkpoint = {
      version: 1,
      source,
      events: options.events,
      peopleDone: 0,
      people,
      totals: { ...freshTotals },
      finished: false,
      updatedAt: new Date().toISOString(),
    };
    saving = writeCheckpoint(options.checkpointPath, checkpoint);
    await saving;
  }
  const totals = checkpoint?.totals ?? freshTotals;
  if (start > 0) {
    out.write(
      `Resuming from ${options.checkpointPath}: ${start} of ${peopleCount} people already done.\n`,
    );
  }
  if (options.dryRun) {
    const eventCount = held.rowCountOf(start, peopleCount);
    const remaining = held.namedPeopleOf(start, peopleCount);
    out.write(
      `Dry run: nothing is sent. ${remaining} people would get one attribute update each` +
        (options.events
          ? `, with ${eventCount} events.\n`
          : ` (attributes only; ${eventCount} events not sent without --events).\n`),
    );
  }

  /** Chunks of people by number: `from` included, `to` excluded. */
  const chunks: { from: number; to: number }[] = [];
  for (let from = start; from < peopleCount; from += options.chunkSize) {
    chunks.push({ from, to: Math.min(from + options.chunkSize, peopleCount) });
  }
  let rowsDone = summary.rowsRead - held.rowCountOf(start, peopleCount);
  const progress = createProgress({
    unit: 'rows',
    total: summary.rowsRead,
    ...(options.progressStream ? { stream: options.progressStream } : {}),
  });
  progress.update(rowsDone, { people: `${start}/${peopleCount}` });

  const dryRunRequests: DryRunRequests | undefined = emulator
    ? { emulator, batches: 0 }
    : undefined;
  const completed = new Array<boolean>(chunks.length).fill(false);
  const results = new Array<{
    failures: FailedRow[];
    people: number;
    events: number;
    nothing: number;
  }>(chunks.length);
  let prefix = 0;
  let peopleDone = start;
  let next = 0;
  /** Set when a chunk's delivery throws: no other chunk starts, the ones in flight finish. */
  let broken = false;

  const deliverChunk = async ({ from, to }: { from: number; to: number }) => {
    const result = { failures: [] as FailedRow[], people: 0, events: 0, nothing: 0 };
    // The chunk's rows, read and accepted again: the same bodies through the same policy.
    const rowOf = new Map<string, { row: number; body: string }>();
    const eventsOf: AcceptedEvent[][] = [];
    for (let person = from; person < to; person++) {
      const events: AcceptedEvent[] = [];
      for (const span of held.spansOf(person)) {
        const body = await reader.bodyAt(span);
        const accepted = await bridge.accept(body);
        if (accepted.status !== 'accepted') {
          result.failures.push({
            row: span.row,
            reason: 'source_changed',
            message: `the row was ${accepted.status} on a second read, accepted on the first: was the file changed during the run?`,
            body,
          });
          continue;
        }
        events.push(accepted.event);
        rowOf.set(accepted.event.key, { row: span.row, body });
      }
      eventsOf.push(events);
    }
    const failureOf = (event: AcceptedEvent, outcome: DeliveryOutcome): FailedRow => {
      const source = rowOf.get(event.key);
      const error = 'error' in outcome ? outcome.error : undefined;
      return {
        row: source?.row ?? 0,
        reason:
          outcome.status === 'retry'
            ? `customerio_unavailable (${outcome.reason})`
            : 'customerio_rejected',
        message: error instanceof Error ? error.message : String(error),
        ...(source ? { body: source.body } : {}),
      };
    };
    let pending = eventsOf.flat();
    const delivered = new Set<string>();
    for (let attempt = 0; pending.length > 0; attempt++) {
      const outcomes = await bridge.deliver(pending, { events: options.events });
      const retry: AcceptedEvent[] = [];
      outcomes.forEach((outcome, index) => {
        const event = pending[index] as AcceptedEvent;
        if (outcome.status === 'delivered') {
          delivered.add(event.key);
          if (outcome.nothingSent) result.nothing++;
          else if (options.events) result.events++;
        } else if (outcome.status === 'retry' && attempt < options.retries) {
          retry.push(event);
        } else {
          result.failures.push(failureOf(event, outcome));
        }
      });
      pending = retry;
      if (pending.length > 0) await sleep(options.retryBaseMs * 2 ** attempt);
    }
    eventsOf.forEach((events, index) => {
      if (!held.isAnonymous(from + index) && events.some((event) => delivered.has(event.key)))
        result.people++;
    });
    if (dryRunRequests) keepFirstBatch(dryRunRequests);
    return result;
  };

  /** After a chunk: the checkpoint moves over every chunk done without a gap before it. */
  const settle = () => {
    let advanced = false;
    while (prefix < chunks.length && completed[prefix]) {
      const result = results[prefix] as NonNullable<(typeof results)[number]>;
      if (!options.dryRun) {
        const failures = result.failures;
        saving = saving.then(() => appendFailures(options.failedPath, failures));
      }
      totals.peopleUpdated += result.people;
      totals.eventsSent += result.events;
      totals.nothingToSend += result.nothing;
      totals.failedRows += result.failures.length;
      const { from, to } = chunks[prefix] as { from: number; to: number };
      peopleDone += to - from;
      prefix++;
      advanced = true;
    }
    if (advanced && !options.dryRun && checkpoint) {
      const snapshot: Checkpoint = {
        ...checkpoint,
        peopleDone,
        totals: { ...totals },
        updatedAt: new Date().toISOString(),
      };
      saving = saving.then(() => writeCheckpoint(options.checkpointPath, snapshot));
    }
  };

  const worker = async () => {
    while (!stop.requested && !broken && next < chunks.length) {
      const index = next++;
      const chunk = chunks[index] as { from: number; to: number };
      stop.inFlight++;
      try {
        results[index] = await deliverChunk(chunk);
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        stop.inFlight--;
      }
      completed[index] = true;
      settle();
      rowsDone += held.rowCountOf(chunk.from, chunk.to);
      progress.update(rowsDone, { people: `${peopleDone}/${peopleCount}` });
    }
  };
  // A dry run sends nowhere slow; one chunk at a time shows the file's first operations first.
  const concurrency = options.dryRun ? 1 : Math.max(1, options.concurrency);
  // Settled, not all: after a failure the other workers still finish their chunk (reading the file and
  // acknowledging it into the checkpoint) before the reader closes and the error goes up.
  const settled = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  await reader.close();
  progress.stop();
  await saving;
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;

  const finished = prefix === chunks.length;
  if (finished && !options.dryRun && checkpoint) {
    const last: Checkpoint = {
      ...checkpoint,
      peopleDone,
      totals: { ...totals },
      finished: true,
      updatedAt: new Date().toISOString(),
    };
    saving = writeCheckpoint(options.checkpointPath, last);
    await saving;
  }
  if (dryRunRequests) showOperations(out, dryRunRequests);
  const failures = readFailures.concat(results.flatMap((result) => result?.failures ?? []));
  return {
    ...summary,
    ...fromTotals({ totals }),
    requests: requests.count,
    status: finished ? 'finished' : 'interrupted',
    elapsedMs: Date.now() - started,
    firstFailures: failures.slice(0, SHOWN_FAILURES),
    ...(options.dryRun ? {} : { failedPath: options.failedPath }),
  };
}

/**
 * `peopleDone` counts along the people order: a resume that finds other people (another `--config`, an
 * identify that answers differently) would skip some people and update others twice, so it is refused.
 */
function checkSamePeople(
  path: string,
  checkpoint: Checkpoint,
  people: NonNullable<Checkpoint['people']>,
): void {
  const recorded = checkpoint.people as NonNullable<Checkpoint['people']>;
  if (recorded.count === people.count && recorded.orderSha256 === people.orderSha256) return;
  const what =
    recorded.count === people.count
      ? `the same number of people (${people.count}) but not the same people in the same order`
      : `${people.count} people where the checkpoint was made with ${recorded.count}`;
  throw new UsageError(
    `the checkpoint ${path} does not match how this file is read now: it gives ${what}, so the mapping changed since (--config: identify, events or sandbox, or an identify that answers differently) and its ${checkpoint.peopleDone} people done no longer say who is done. Resume with the --config of the first run, or delete the checkpoint to start over (people already updated get the same values again; events are deduplicated by id).`,
  );
}

function fromTotals({ totals }: Pick<Checkpoint, 'totals'>): Partial<BackfillSummary> {
  const skippedAnonymous = totals.nothingToSend;
  return {
    peopleUpdated: totals.peopleUpdated,
    eventsSent: totals.eventsSent,
    failed: totals.failedRows,
    ...(skippedAnonymous > 0 ? { anonymousWithoutEvents: skippedAnonymous } : {}),
  };
}

/**
 * The bridge the backfill delivers through: the live mapping (`--config`), a memory store (each person's
 * rows arrive in one call, so their whole state is there), the rate-limited client. A dry run delivers to an
 * in-process Customer.io emulator instead: what it records is exactly what would have been sent.
 */
function createBackfillBridge(
  options: BackfillOptions,
  requests: { count: number },
): { bridge: PurchaselyBridge; emulator?: ReturnType<typeof createCustomerIoEmulator> } {
  const counting: typeof fetch = (input, init) => {
    requests.count++;
    return fetch(input, init);
  };
  const emulator = options.dryRun ? createCustomerIoEmulator() : undefined;
  const customerio: CustomerIoClientOptions = emulator
    ? {
        siteId: 'test-site',
        apiKey: 'test-key',
        region: 'us',
        fetch: emulator.fetch,
        rateLimit: false,
      }
    : {
        // A batch of 500 KB deserves longer than a live webhook's 3 s.
        timeoutMs: 15_000,
        ...(options.customerio as CustomerIoClientOptions),
        fetch: counting,
      };
  const bridge = createPurchaselyBridge({
    ...options.mapping,
    // accept() checks no signature; the bridge needs a secret all the same.
    webhookSecret: 'backfill-checks-no-signature',
    customerio,
    store: createMemoryStore(),
    deliveryBudgetMs: 60_000,
    logger: false,
  });
  return emulator ? { bridge, emulator } : { bridge };
}

function personKeyOf(event: AcceptedEvent): string {
  const { identity } = event;
  if (identity.kind === 'anonymous') return `anonymous:${identity.anonymousId}`;
  const { identifier } = identity;
  return 'id' in identifier ? `id:${identifier.id}` : `email:${identifier.email.toLowerCase()}`;
}

async function appendFailures(path: string, failures: readonly FailedRow[]): Promise<void> {
  if (failures.length === 0) return;
  await appendFile(path, failures.map((failure) => `${JSON.stringify(failure)}\n`).join(''));
}

/** What a dry run shows of the requests it would have sent: how many batches, and the first one's body. */
interface DryRunRequests {
  emulator: ReturnType<typeof createCustomerIoEmulator>;
  batches: number;
  first?: string;
}

/** After each chunk of a dry run: counts its batches and lets the emulator forget their bodies. */
function keepFirstBatch(requests: DryRunRequests): void {
  for (const request of requests.emulator.requests) {
    if (!request.path.startsWith('/api/v2/batch')) continue;
    requests.batches++;
    requests.first ??= request.body;
  }
  // The emulator keeps every request it answers; a dry run needs only the first batch and the count. Its
  // people and events stay, so later chunks meet the same state as in one run.
  (requests.emulator.requests as unknown[]).length = 0;
}

function showOperations(out: NodeJS.WritableStream, requests: DryRunRequests): void {
  if (requests.first === undefined) return;
  const { batch } = JSON.parse(requests.first) as { batch: unknown[] };
  out.write(
    `Would send ${requests.batches} /api/v2/batch requests; the first ${Math.min(SHOWN_OPERATIONS, batch.length)} operations:\n`,
  );
  for (const operation of batch.slice(0, SHOWN_OPERATIONS))
    out.write(`${JSON.stringify(operation)}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

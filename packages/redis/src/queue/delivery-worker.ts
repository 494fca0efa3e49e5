import type {
  AcceptedEvent,
  CustomerIoCallOptions,
  DeliveryOutcome,
  PurchaselyBridge,
} from '@purchasely-customerio/core';
import type { Job, Worker, WorkerOptions } from 'bullmq';
import {
  BACKOFF_TYPE,
  type BullMqQueueLocation,
  DEFAULT_QUEUE_NAME,
  loadBullMq,
} from './bullmq.js';
import { type RetryPolicy, resolveRetryPolicy, retryDelayMs } from './retry-policy.js';

export interface DeliveryWorkerOptions extends BullMqQueueLocation {
  /** The bridge whose `deliver()` sends the batches (built with the same config as the receiving one). */
  bridge: Pick<PurchaselyBridge, 'deliver'>;
  /** Most events per `deliver()` call. Default 100. */
  batchSize?: number;
  /** How long the first event of a batch waits for others before the batch is sent. Default 200 ms. */
  maxWaitMs?: number;
  /**
   * Batches in flight at once in this worker; one more fills meanwhile and is sent when full, so up to
   * `concurrency + 1` can be out. Default 1.
   */
  concurrency?: number;
  /** The same retry policy as the queue's (default the same). */
  retry?: Partial<RetryPolicy>;
  /** Passed to `deliver()` (a deadline or an abort signal per batch, say). */
  limits?: CustomerIoCallOptions;
  /** BullMQ worker settings to override (`lockDuration`, `maxStalledCount`…). */
  workerOptions?: Partial<Omit<WorkerOptions, 'connection' | 'prefix' | 'concurrency'>>;
  /** Called with the worker's errors (Redis unreachable, say). Default: one line on the console. */
  onError?: (error: Error) => void;
}

export interface DeliveryWorker {
  /** The BullMQ worker itself (for its events: `completed`, `failed`…). */
  readonly worker: Worker;
  /** Stops taking jobs, sends the batch being gathered at once, waits for the batches in flight, closes its connections. */
  close(): Promise<void>;
}

/** Why a job is retried (its message becomes BullMQ's `failedReason` once its attempts run out). */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

interface Waiting {
  event: AcceptedEvent;
  resolve(outcome: DeliveryOutcome): void;
}

/**
 * The delivery half of queue mode, in any process: a BullMQ worker that coalesces jobs into
 * `bridge.deliver()` batches (up to `batchSize` events, or what arrived within `maxWaitMs`), then settles
 * each job from its event's outcome: `delivered` completes it, `retry` fails the attempt (BullMQ retries it
 * with the policy's backoff), `failed` fails it for good. Jobs failed for good or out of attempts stay in
 * BullMQ's failed set: the dead letters (see `createDeadLetters`).
 */
export async function startDeliveryWorker(options: DeliveryWorkerOptions): Promise<DeliveryWorker> {
  const { Worker, UnrecoverableError } = await loadBullMq();
  const batchSize = options.batchSize ?? 100;
  const maxWaitMs = options.maxWaitMs ?? 200;
  const batchesInFlight = options.concurrency ?? 1;
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new RangeError('batchSize must be a positive integer');
  if (!(Number.isInteger(batchesInFlight) && batchesInFlight > 0))
    throw new RangeError('concurrency must be a positive integer');
  const policy = resolveRetryPolicy(options.retry);
  const onError =
    options.onError ??
    ((error: Error) => console.error(`purchasely-customerio worker: ${error.message}`));

  let gathering: Waiting[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closing = false;
  const inFlight = new Set<Promise<void>>();

  const send = (batch: Waiting[]) => {
    const done = options.bridge
      .deliver(
        batch.map(({ event }) => event),
        options.limits,
      )
      .then(
        (outcomes) => {
          const byKey = new Map(outcomes.map((outcome) => [outcome.key, outcome]));
          for (const [index, waiting] of batch.entries()) {
            const outcome =
              outcomes[index]?.key === waiting.event.key
                ? outcomes[index]
                : byKey.get(waiting.event.key);
            waiting.resolve(
              outcome ?? {
                key: waiting.event.key,
                status: 'retry',
                reason: 'unavailable',
                error: new Error('deliver() gave no outcome for this event'),
              },
            );
          }
        },
        // deliver() never throws; should it, every event of the batch is retried.
        (error: unknown) => {
          for (const waiting of batch) {
            waiting.resolve({
              key: waiting.event.key,
              status: 'retry',
              reason: 'unavailable',
              error,
            });
          }
        },
      )
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = gathering;
    gathering = [];
    if (batch.length > 0) send(batch);
  };

  const join = (event: AcceptedEvent) =>
    new Promise<DeliveryOutcome>((resolve) => {
      gathering.push({ event, resolve });
      if (gathering.length >= batchSize || closing) flush();
      else timer ??= setTimeout(flush, maxWaitMs);
    });

  const processor = async (job: Job<AcceptedEvent>) => {
    const outcome = await join(job.data);
    switch (outcome.status) {
      case 'delivered':
        return outcome;
      case 'retry':
        throw new Error(`retry (${outcome.reason}): ${describe(outcome.error)}`);
      case 'failed':
        throw new UnrecoverableError(`${outcome.reason}: ${describe(outcome.error)}`);
    }
  };

  const worker = new Worker<AcceptedEvent>(options.name ?? DEFAULT_QUEUE_NAME, processor, {
    ...options.workerOptions,
    connection: options.connection,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    // One slot per event of every batch in flight, plus the batch being gathered: each job waits in its
    // slot, and the next batch fills while the others are out (without it, fetching stops at each send).
    concurrency: batchSize * (batchesInFlight + 1),
    settings: {
      ...options.workerOptions?.settings,
      backoffStrategy: (attemptsMade, type, error, job) => {
        if (type === BACKOFF_TYPE) return retryDelayMs(policy, attemptsMade);
        const custom = options.workerOptions?.settings?.backoffStrategy;
        return custom ? custom(attemptsMade, type, error, job) : 0;
      },
    },
  });
  worker.on('error', onError);
  await worker.waitUntilReady();

  return {
    worker,
    async close() {
      closing = true;
      flush();
      // Waits for the active jobs, which wait for their batches.
      await worker.close();
      flush();
      await Promise.all([...inFlight]);
    },
  };
}

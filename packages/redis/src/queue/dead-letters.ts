import type { AcceptedEvent } from '@purchasely-customerio/core';
import type { Job, Queue } from 'bullmq';
import { type BullMqQueueLocation, DEFAULT_QUEUE_NAME, loadBullMq } from './bullmq.js';
import { jobIdOf } from './job-id.js';

/** An event the worker gave up on: Customer.io refused it for good, or its retries ran out. */
export interface DeadLetter {
  key: string;
  eventId: string;
  /** The Purchasely event name (`SUBSCRIPTION_STARTED`…). */
  eventName: string;
  /** The Customer.io event name it was sent as. */
  customerioEvent: string;
  /** Why: `customerio_rejected: …` (for good) or `retry (<reason>): …` (the last of the retries). */
  reason: string;
  attempts: number;
  /** When it failed for the last time (ms since the epoch). */
  failedAt: number | undefined;
  /** The accepted event as queued, raw payload included. */
  accepted: AcceptedEvent;
}

export interface DeadLetters {
  /** The newest dead letters first. Default limit 100. */
  list(options?: { limit?: number; offset?: number }): Promise<DeadLetter[]>;
  /** One dead letter by its event key, or `undefined` when no failed job has that key. */
  get(key: string): Promise<DeadLetter | undefined>;
  /** How many dead letters there are. */
  count(): Promise<number>;
  /** Moves one (by key) or all back to waiting, with their attempts reset. Resolves with how many. */
  replay(key: string | 'all'): Promise<number>;
  /** Deletes one (by key) or all. Resolves with how many. */
  drop(key: string | 'all'): Promise<number>;
  close(): Promise<void>;
}

function deadLetterOf(job: Job<AcceptedEvent>): DeadLetter {
  const accepted = job.data;
  return {
    key: accepted.key,
    eventId: accepted.eventId,
    eventName: String(accepted.event.event_name),
    customerioEvent: accepted.customerioEvent,
    reason: job.failedReason,
    attempts: job.attemptsMade,
    failedAt: job.finishedOn,
    accepted,
  };
}

/** The dead letters of a delivery queue: BullMQ's failed set, by event key. */
export function createDeadLetters(options: BullMqQueueLocation): DeadLetters {
  let created: Promise<Queue<AcceptedEvent>> | undefined;
  const queue = () => {
    created ??= loadBullMq().then(({ Queue }) => {
      const instance = new Queue<AcceptedEvent>(options.name ?? DEFAULT_QUEUE_NAME, {
        connection: options.connection,
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      });
      instance.on('error', () => {});
      return instance;
    });
    return created;
  };
  const failedJob = async (key: string) => {
    const job = await (await queue()).getJob(jobIdOf(key));
    return job && (await job.isFailed()) ? job : undefined;
  };

  return {
    async list({ limit = 100, offset = 0 } = {}) {
      const jobs = await (await queue()).getFailed(offset, offset + limit - 1);
      return jobs.filter(Boolean).map((job) => deadLetterOf(job as Job<AcceptedEvent>));
    },
    async get(key) {
      const job = await failedJob(key);
      return job ? deadLetterOf(job) : undefined;
    },
    async count() {
      return (await queue()).getFailedCount();
    },
    async replay(key) {
      const jobs =
        key === 'all'
          ? ((await (await queue()).getFailed(0, -1)) as Job<AcceptedEvent>[])
          : [await failedJob(key)];
      let replayed = 0;
      for (const job of jobs) {
        if (!job) continue;
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        replayed++;
      }
      return replayed;
    },
    async drop(key) {
      if (key === 'all') return (await (await queue()).clean(0, 0, 'failed')).length;
      const job = await failedJob(key);
      if (!job) return 0;
      await job.remove();
      return 1;
    },
    async close() {
      if (created) await (await created).close();
    },
  };
}

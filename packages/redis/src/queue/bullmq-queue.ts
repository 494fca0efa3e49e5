import type { AcceptedEvent, DeliveryQueue } from '@purchasely-customerio/core';
import type { Queue } from 'bullmq';
import {
  BACKOFF_TYPE,
  type BullMqQueueLocation,
  DEFAULT_QUEUE_NAME,
  loadBullMq,
} from './bullmq.js';
import { jobIdOf } from './job-id.js';
import { attemptsFor, type RetryPolicy, resolveRetryPolicy } from './retry-policy.js';

export interface BullMqQueueOptions extends BullMqQueueLocation {
  /** The backoff and its horizon (default 1 s doubling to 1 h, ±25 % jitter, over 20 days: 491 attempts). */
  retry?: Partial<RetryPolicy>;
  /**
   * How long `enqueue` waits for Redis before giving up (receive then answers 503, and Purchasely
   * re-delivers; a late write is not duplicated, the job id being the event's key). Default 5 s.
   */
  enqueueTimeoutMs?: number;
  /** Delivered jobs kept for inspection, by age (s) and count. Default 1 h, 1,000. Dead letters are always kept. */
  keepDelivered?: { age?: number; count?: number };
}

/** A `DeliveryQueue` on BullMQ, plus `close()`. */
export interface BullMqDeliveryQueue extends DeliveryQueue {
  /** BullMQ's `attempts` for each job, from the retry policy. */
  readonly attempts: number;
  /** The BullMQ queue itself (created on first use). */
  queue(): Promise<Queue>;
  close(): Promise<void>;
}

/**
 * The durable hand-off of queue mode: one BullMQ job per accepted event (job id = the event's key, so a key
 * enqueued twice while its job exists is one job; data = the `AcceptedEvent`), resolving once Redis has
 * them all. Give it to `createPurchaselyBridge({ queue })`; `startDeliveryWorker` delivers them.
 */
export function createBullMqQueue(options: BullMqQueueOptions): BullMqDeliveryQueue {
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const policy = resolveRetryPolicy(options.retry);
  const attempts = attemptsFor(policy);
  const enqueueTimeoutMs = options.enqueueTimeoutMs ?? 5_000;
  const removeOnComplete = { age: 3_600, count: 1_000, ...options.keepDelivered };
  let created: Promise<Queue> | undefined;
  let closed = false;
  const queue = () => {
    if (closed) return Promise.reject(new Error('the BullMQ delivery queue is closed'));
    created ??= loadBullMq().then(({ Queue }) => {
      const instance = new Queue(name, {
        connection: options.connection,
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      });
      // Connection errors surface as rejected commands; an unhandled 'error' event would crash the process.
      instance.on('error', () => {});
      return instance;
    });
    return created;
  };

  return {
    attempts,
    queue,
    async enqueue(events: readonly AcceptedEvent[]) {
      if (events.length === 0) return;
      const bull = await queue();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis did not take the events within ${enqueueTimeoutMs} ms`)),
          enqueueTimeoutMs,
        );
      });
      try {
        await Promise.race([
          bull.addBulk(
            events.map((event) => ({
              name: event.customerioEvent,
              data: event,
              opts: {
                jobId: jobIdOf(event.key),
                attempts,
                backoff: { type: BACKOFF_TYPE, delay: policy.baseDelayMs },
                removeOnComplete,
                removeOnFail: false,
              },
            })),
          ),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const pending = created;
      closed = true;
      if (pending) await (await pending).close();
    },
  };
}

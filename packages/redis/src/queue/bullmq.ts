import type * as BullMq from 'bullmq';

/** Loads BullMQ on first use: it is an optional peer, so importing this package never requires it. */
let loading: Promise<typeof BullMq> | undefined;
export function loadBullMq(): Promise<typeof BullMq> {
  loading ??= import('bullmq').catch((error: unknown) => {
    loading = undefined;
    throw new Error(
      `queue mode needs BullMQ: install it beside this package (npm install bullmq) (${String(error)})`,
    );
  });
  return loading;
}

/** The queue's default name, shared by the queue, the worker and the dead letters. */
export const DEFAULT_QUEUE_NAME = 'purchasely-customerio';

/** What BullMQ takes to reach Redis: ioredis options, or an ioredis instance (`maxRetriesPerRequest: null` for workers). */
export type BullMqConnection = BullMq.ConnectionOptions;

/** Where the queue lives; give the queue, the worker and the dead letters the same values. */
export interface BullMqQueueLocation {
  connection: BullMqConnection;
  /** The BullMQ queue name. Default `purchasely-customerio`. */
  name?: string;
  /** BullMQ's key prefix. Default BullMQ's own (`bull`). */
  prefix?: string;
}

/** The backoff type the queue stamps on its jobs and the worker computes (see `RetryPolicy`). */
export const BACKOFF_TYPE = 'purchasely-capped-exponential';

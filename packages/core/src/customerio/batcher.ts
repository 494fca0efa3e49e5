/**
 * A buffering batcher for bulk work (backfills, replays): operations go in one at a time and leave
 * as `/api/v2/batch` requests sized to Customer.io's limits.
 *
 * Behaviour:
 * - `add(op)` validates the operation at once (throwing a `CustomerIoValidationError`
 *   synchronously, so a bad row fails where it was added) and buffers it. It returns a promise
 *   that resolves when the batcher has room again: at once normally, later when requests are
 *   queued behind the one in flight (back-pressure for `for … await batcher.add(op)` loops). The
 *   promise never rejects; ignoring it is safe.
 * - The buffer is sent when the next operation would push it past `maxBytes` or `maxOperations`,
 *   and `flushIntervalMs` after the first buffered operation.
 * - Requests go out one at a time, in add order: never more than one in flight.
 * - Failures never vanish: a failed request is passed to `onError(error, operations)`; without an
 *   `onError`, it is logged and the next `flush()` or `close()` rejects with it. Operations
 *   Customer.io rejected inside an accepted batch (a 207) go to `onFailures` (or the logger), with
 *   `index` = the operation's position in add order.
 * - `close()` refuses new operations from the moment it is called, stops the timer and flushes.
 *
 * @module
 */
import { BATCH_ENVELOPE_BYTES, type BatchChunk, splitBatch } from './batch-split.js';
import { CustomerIoError } from './errors.js';
import type { PreparedOperation } from './track-v2.js';
import type {
  BatchFailure,
  CustomerIoLogger,
  TrackV2Operation,
  UnattributedBatchError,
} from './types.js';

/** Options for `client.createBatcher()`. */
export interface BatcherOptions {
  /**
   * Largest request body in bytes. Default 480 KB (491 520), leaving headroom under Customer.io's
   * 500 KB like its own Node batcher; values above the limit are lowered to it.
   */
  maxBytes?: number;
  /** Most operations in one request. Default: no limit (Customer.io documents only bytes). */
  maxOperations?: number;
  /** Send a non-empty buffer this long after its first operation. Default 1000; `false` disables. */
  flushIntervalMs?: number | false;
  /** A request failed (after retries). `operations` are the operations it carried, as sent. */
  onError?: (error: unknown, operations: TrackV2Operation[]) => void;
  /** Customer.io rejected some operations of an accepted request (207). */
  onFailures?: (failures: BatchFailure[], unattributed: UnattributedBatchError[]) => void;
}

/** Running totals of a batcher. */
export interface BatcherStats {
  /** Operations sent in accepted requests (including ones a 207 then rejected). */
  operations: number;
  /** Requests accepted (200 or 207). */
  requests: number;
  /** Operations rejected inside accepted requests. */
  failures: number;
  /** Requests that failed. */
  errors: number;
}

/**
 * A batcher; see the module documentation for its guarantees.
 *
 * @example
 * ```ts
 * const batcher = client.createBatcher({ onError: (error, ops) => deadLetter(ops, error) });
 * for await (const row of rows) await batcher.add(toOperation(row));
 * await batcher.close();
 * ```
 */
export interface Batcher {
  /** Buffers one operation; see the module documentation for the returned promise. */
  add(operation: TrackV2Operation): Promise<void>;
  /** Sends everything buffered so far; resolves when all of it has been sent (or failed). */
  flush(): Promise<void>;
  /** Refuses new operations, stops the timer and flushes. */
  close(): Promise<void>;
  /** Operations buffered or queued, not yet sent. */
  readonly pending: number;
  readonly stats: Readonly<BatcherStats>;
}

/** What the batcher needs from the client. */
export interface BatcherDependencies {
  /** Validates and serialises an operation (throws `CustomerIoValidationError`). */
  prepare(operation: TrackV2Operation, index: number): PreparedOperation;
  /** Sends one chunk as one request; failures' indexes are taken from `chunk.indexes`. */
  send(
    chunk: BatchChunk,
  ): Promise<{ failures: BatchFailure[]; unattributed: UnattributedBatchError[] }>;
  /** The `/api/v2/batch` body limit (inclusive). */
  maxBodyBytes: number;
  logger: CustomerIoLogger | undefined;
}

/** Default `maxBytes`: 480 KB, as in Customer.io's own Node batcher. */
export const DEFAULT_BATCHER_MAX_BYTES = 480 * 1024;
const DEFAULT_FLUSH_INTERVAL_MS = 1000;
/** Requests queued behind the one in flight before `add()` applies back-pressure. */
const MAX_QUEUED_REQUESTS = 1;

/** Creates a batcher over the client's preparation and sending. */
export function createBatcher(deps: BatcherDependencies, options: BatcherOptions = {}): Batcher {
  const maxBytes = Math.min(options.maxBytes ?? DEFAULT_BATCHER_MAX_BYTES, deps.maxBodyBytes);
  const maxOperations = Math.max(1, options.maxOperations ?? Number.POSITIVE_INFINITY);
  const interval = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const { logger } = deps;

  const stats: BatcherStats = { operations: 0, requests: 0, failures: 0, errors: 0 };
  let buffer: PreparedOperation[] = [];
  let bufferBytes = 0; // sum of op bytes plus commas; the envelope is added by splitBatch
  let sequence = 0;
  let queuedRequests = 0; // sealed requests not finished yet (in flight included)
  let queuedOperations = 0;
  let tail: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const unreported: unknown[] = [];
  let waiters: Array<() => void> = [];

  function stopTimer(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  async function sendChunk(chunk: BatchChunk): Promise<void> {
    try {
      const { failures, unattributed } = await deps.send(chunk);
      stats.requests++;
      stats.operations += chunk.operations.length;
      stats.failures += failures.length + unattributed.length;
      if (failures.length > 0 || unattributed.length > 0) {
        if (options.onFailures) {
          try {
            options.onFailures(failures, unattributed);
          } catch (error) {
            logger?.error({ error: String(error) }, 'customer.io batcher onFailures threw');
          }
        } else {
          logger?.warn(
            { failures: failures.length, unattributed: unattributed.length },
            'customer.io rejected operations in a batch',
          );
        }
      }
    } catch (error) {
      stats.errors++;
      logger?.error(
        { operations: chunk.operations.length, error: (error as { name?: string }).name },
        'customer.io batch request failed',
      );
      if (options.onError) {
        try {
          options.onError(error, chunk.operations);
        } catch (hookError) {
          logger?.error({ error: String(hookError) }, 'customer.io batcher onError threw');
        }
      } else {
        unreported.push(error);
      }
    } finally {
      queuedRequests--;
      queuedOperations -= chunk.operations.length;
      if (queuedRequests <= MAX_QUEUED_REQUESTS) {
        const ready = waiters;
        waiters = [];
        for (const wake of ready) wake();
      }
    }
  }

  /** Moves the buffer onto the send queue. */
  function seal(): void {
    stopTimer();
    if (buffer.length === 0) return;
    const operations = buffer;
    buffer = [];
    bufferBytes = 0;
    // The buffer was kept within maxBytes, so this is one chunk unless maxBytes < one operation.
    for (const chunk of splitBatch(operations, { maxBodyBytes: maxBytes, maxOperations })) {
      queuedRequests++;
      queuedOperations += chunk.operations.length;
      tail = tail.then(() => sendChunk(chunk));
    }
  }

  function takeUnreported(): void {
    if (unreported.length > 0) {
      const [first] = unreported.splice(0, unreported.length);
      throw first;
    }
  }

  return {
    add(operation: TrackV2Operation): Promise<void> {
      if (closed) {
        throw new CustomerIoError('this batcher is closed; create a new one to send more');
      }
      const prepared = deps.prepare(operation, sequence);
      sequence++;
      const added = prepared.bytes + (buffer.length > 0 ? 1 : 0);
      if (
        buffer.length > 0 &&
        (BATCH_ENVELOPE_BYTES + bufferBytes + added > maxBytes || buffer.length >= maxOperations)
      ) {
        seal();
      }
      bufferBytes += prepared.bytes + (buffer.length > 0 ? 1 : 0);
      buffer.push(prepared);
      if (buffer.length >= maxOperations || BATCH_ENVELOPE_BYTES + bufferBytes >= maxBytes) {
        seal();
      } else if (buffer.length === 1 && interval !== false && timer === undefined) {
        // Not unref'd on purpose: a pending buffer keeps the process alive until it is sent.
        timer = setTimeout(() => {
          timer = undefined;
          seal();
        }, interval);
      }
      if (queuedRequests <= MAX_QUEUED_REQUESTS) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },

    async flush(): Promise<void> {
      seal();
      await tail;
      takeUnreported();
    },

    async close(): Promise<void> {
      closed = true;
      seal();
      await tail;
      takeUnreported();
    },

    get pending(): number {
      return buffer.length + queuedOperations;
    },

    get stats(): Readonly<BatcherStats> {
      return { ...stats };
    },
  };
}

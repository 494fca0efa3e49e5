/**
 * Splits prepared v2 operations into `/api/v2/batch` bodies that fit Customer.io's size limit.
 *
 * Greedy and order-preserving: operations are appended to the current body until the next one
 * would not fit, then a new body starts. Sizes are exact because each body is the concatenation of
 * the operations' already-serialised JSON inside the `{"batch":[…]}` envelope, so the bytes
 * measured are the bytes sent. An operation always fits alone (each is at most 32 KB, far below
 * the body limit).
 *
 * @module
 */
import type { PreparedOperation } from './track-v2.js';
import type { TrackV2Operation } from './types.js';

const PREFIX = '{"batch":[';
const SUFFIX = ']}';
/** Bytes of the envelope around the operations. */
export const BATCH_ENVELOPE_BYTES = PREFIX.length + SUFFIX.length;

/** One `/api/v2/batch` request body. */
export interface BatchChunk {
  /** The exact JSON body. */
  body: string;
  /** UTF-8 bytes of `body`. */
  bytes: number;
  /** For each operation in the body (by `batch_index`), its index in the caller's numbering. */
  indexes: number[];
  /** The operations, as sent. */
  operations: TrackV2Operation[];
}

/**
 * Splits `operations` into as few bodies as the limits allow, keeping order.
 *
 * @param options.maxBodyBytes - the largest body to build (inclusive).
 * @param options.maxOperations - the most operations in one body (default: no limit).
 * @example
 * ```ts
 * const chunks = splitBatch(prepared, { maxBodyBytes: 500 * 1024 - 1 });
 * for (const chunk of chunks) await post('/api/v2/batch', chunk.body);
 * ```
 */
export function splitBatch(
  operations: ReadonlyArray<PreparedOperation>,
  options: { maxBodyBytes: number; maxOperations?: number },
): BatchChunk[] {
  const maxOperations = options.maxOperations ?? Number.POSITIVE_INFINITY;
  const chunks: BatchChunk[] = [];
  let parts: string[] = [];
  let indexes: number[] = [];
  let ops: TrackV2Operation[] = [];
  let bytes = BATCH_ENVELOPE_BYTES;

  const close = (): void => {
    if (parts.length === 0) return;
    chunks.push({ body: PREFIX + parts.join(',') + SUFFIX, bytes, indexes, operations: ops });
    parts = [];
    indexes = [];
    ops = [];
    bytes = BATCH_ENVELOPE_BYTES;
  };

  for (const op of operations) {
    const added = op.bytes + (parts.length > 0 ? 1 : 0); // a comma between operations
    if (
      parts.length > 0 &&
      (bytes + added > options.maxBodyBytes || parts.length >= maxOperations)
    ) {
      close();
    }
    bytes += op.bytes + (parts.length > 0 ? 1 : 0);
    parts.push(op.json);
    indexes.push(op.index);
    ops.push(op.operation);
  }
  close();
  return chunks;
}

/**
 * `POST /api/v2/batch` over a connection: validation of every operation before the first request,
 * the split to Customer.io's size limits, and 207 answers mapped back to the caller's operations.
 * Used by the client's `batch()` and batcher, and by the bridge's lean sender.
 *
 * @module
 */
import { type BatchChunk, splitBatch } from './batch-split.js';
import type { Connection } from './connection.js';
import { CustomerIoBatchError, CustomerIoHttpError, CustomerIoValidationError } from './errors.js';
import { TRACK_LIMITS } from './limits.js';
import { type PreparedOperation, prepareOperation } from './track-v2.js';
import type {
  BatchFailure,
  BatchResult,
  CustomerIoCallOptions,
  TrackV2Operation,
  UnattributedBatchError,
} from './types.js';

/** `/api/v2/batch` bodies must be smaller than 500 KB. */
export const MAX_BATCH_BODY = TRACK_LIMITS.batchBodyBytes - 1;
const PATH = '/api/v2/batch';

/** Validates, normalises and serialises the operation at `index` of a batch. */
export function prepareForBatch(operation: TrackV2Operation, index: number): PreparedOperation {
  return prepareOperation(operation, {
    index,
    field: `batch[${index}]`,
    maxBytes: TRACK_LIMITS.batchOperationBytes,
    limitText: `Customer.io allows at most ${TRACK_LIMITS.batchOperationBytes} bytes per batch operation`,
  });
}

/** The 207 body's `errors`, or `undefined` when the body does not have that shape. */
function readBatchErrors(body: unknown): Array<Record<string, unknown>> | undefined {
  const errors = (typeof body === 'object' && body !== null ? body : {}) as { errors?: unknown };
  if (!Array.isArray(errors.errors)) return undefined;
  const entries: unknown[] = errors.errors;
  return entries.every((entry) => typeof entry === 'object' && entry !== null)
    ? (entries as Array<Record<string, unknown>>)
    : undefined;
}

/** Sends one chunk as one request, and maps a 207's errors back to the caller's operations. */
export async function sendChunk(
  connection: Connection,
  chunk: BatchChunk,
  callOptions?: CustomerIoCallOptions,
): Promise<{ failures: BatchFailure[]; unattributed: UnattributedBatchError[] }> {
  const { redact } = connection;
  const response = await connection.send(
    { method: 'POST', path: PATH, body: chunk.body },
    callOptions,
  );
  const failures: BatchFailure[] = [];
  const unattributed: UnattributedBatchError[] = [];
  if (response.status !== 207) return { failures, unattributed };
  const errors = readBatchErrors(response.body);
  if (errors === undefined) {
    // Part of the batch may be applied and we cannot tell which: not a success, and not a
    // rejection either. Re-sending is safe (event ids dedupe, identify is idempotent).
    const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    throw new CustomerIoHttpError({
      message: `Customer.io answered 207 to POST ${PATH} with a body that cannot be read (no errors list); the batch may be partly applied`,
      status: 207,
      body: body === undefined ? undefined : redact(body).slice(0, 8 * 1024),
      headers: response.headers,
      method: 'POST',
      path: PATH,
      retryable: false,
      hasCustomerIoErrorBody: false,
    });
  }
  // Text from the answer may echo the request, Authorization header included.
  const text = (value: unknown) => (typeof value === 'string' ? redact(value) : undefined);
  for (const entry of errors) {
    const reason = text(entry.reason);
    const field = text(entry.field);
    const detail = {
      ...(reason !== undefined ? { reason } : {}),
      ...(field !== undefined ? { field } : {}),
      message: text(entry.message) ?? 'rejected by Customer.io',
    };
    const position = entry.batch_index;
    const index =
      typeof position === 'number' && Number.isInteger(position)
        ? chunk.indexes[position]
        : undefined;
    const operation = typeof position === 'number' ? chunk.operations[position] : undefined;
    if (index === undefined || operation === undefined) unattributed.push(detail);
    else failures.push({ index, ...detail, operation });
  }
  return { failures, unattributed };
}

/** `batch()`: every operation validated first, then the chunks sent one after another, in order. */
export async function sendBatch(
  connection: Connection,
  operations: ReadonlyArray<TrackV2Operation>,
  callOptions?: CustomerIoCallOptions,
): Promise<BatchResult> {
  if (!Array.isArray(operations)) {
    throw new CustomerIoValidationError('batch: must be an array of operations', {
      field: 'batch',
    });
  }
  // Everything is validated before the first request: a bad operation rejects the whole call.
  const prepared = operations.map((operation, index) => prepareForBatch(operation, index));
  const chunks = splitBatch(prepared, { maxBodyBytes: MAX_BATCH_BODY });
  const result: BatchResult = { requests: 0, failures: [], unattributed: [] };
  let operationsSent = 0;
  for (const chunk of chunks) {
    try {
      const { failures, unattributed } = await sendChunk(connection, chunk, callOptions);
      result.failures.push(...failures);
      result.unattributed.push(...unattributed);
    } catch (error) {
      if (result.requests === 0) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new CustomerIoBatchError({
        message: `batch request ${result.requests + 1} of ${chunks.length} failed after ${operationsSent} of ${prepared.length} operations were sent: ${reason}`,
        requestsSent: result.requests,
        operationsSent,
        failures: result.failures.map(({ index, message }) => ({ index, message })),
        cause: error,
      });
    }
    result.requests++;
    operationsSent += chunk.operations.length;
  }
  return result;
}

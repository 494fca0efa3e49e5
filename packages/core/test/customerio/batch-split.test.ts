import { describe, expect, it } from 'vitest';
import { BATCH_ENVELOPE_BYTES, splitBatch } from '../../src/customerio/batch-split.js';
import { utf8ByteLength } from '../../src/customerio/limits.js';
import { type PreparedOperation, prepareOperation } from '../../src/customerio/track-v2.js';
import type { TrackV2Operation } from '../../src/customerio/types.js';

function prepared(index: number, padding: number, text = 'x'): PreparedOperation {
  const op: TrackV2Operation = {
    type: 'person',
    action: 'identify',
    identifiers: { id: `user-${index}` },
    attributes: { blob: text.repeat(padding) },
  };
  return prepareOperation(op, {
    index,
    field: `batch[${index}]`,
    maxBytes: 32 * 1024,
    limitText: '',
  });
}

describe('splitBatch', () => {
  it('builds the exact JSON envelope and measures it byte-accurately', () => {
    const ops = [prepared(0, 10), prepared(1, 10, 'é')];
    const [chunk] = splitBatch(ops, { maxBodyBytes: 10_000 });
    expect(JSON.parse(chunk!.body)).toEqual({ batch: ops.map((o) => o.operation) });
    expect(chunk!.bytes).toBe(utf8ByteLength(chunk!.body));
    expect(BATCH_ENVELOPE_BYTES).toBe('{"batch":[]}'.length);
  });

  it('fills each body greedily up to the limit, keeping order', () => {
    const ops = Array.from({ length: 40 }, (_, i) => prepared(i, 900));
    const limit = 5000;
    const chunks = splitBatch(ops, { maxBodyBytes: limit });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flatMap((c) => c.indexes)).toEqual(ops.map((o) => o.index));
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.bytes).toBe(utf8ByteLength(chunk.body));
      expect(chunk.bytes).toBeLessThanOrEqual(limit);
      // Greedy: the next chunk's first operation would not have fitted.
      const next = chunks[i + 1];
      if (next) {
        const first = ops[next.indexes[0]!]!;
        expect(chunk.bytes + 1 + first.bytes).toBeGreaterThan(limit);
      }
    }
  });

  it('puts a body exactly at the limit in one request', () => {
    const ops = [prepared(0, 100), prepared(1, 100)];
    const exact = BATCH_ENVELOPE_BYTES + ops[0]!.bytes + 1 + ops[1]!.bytes;
    expect(splitBatch(ops, { maxBodyBytes: exact })).toHaveLength(1);
    expect(splitBatch(ops, { maxBodyBytes: exact - 1 })).toHaveLength(2);
  });

  it('respects maxOperations', () => {
    const ops = Array.from({ length: 7 }, (_, i) => prepared(i, 1));
    const chunks = splitBatch(ops, { maxBodyBytes: 1_000_000, maxOperations: 3 });
    expect(chunks.map((c) => c.indexes)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('keeps the caller indexes for 207 mapping', () => {
    const ops = [prepared(7, 1), prepared(9, 1)];
    expect(splitBatch(ops, { maxBodyBytes: 1000 })[0]!.indexes).toEqual([7, 9]);
  });

  it('returns nothing for nothing', () => {
    expect(splitBatch([], { maxBodyBytes: 1000 })).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WriteOrderedMap } from '../../src/state/write-ordered-map.js';

type Operation =
  | { kind: 'set'; key: string; value: number }
  | { kind: 'delete'; key: string }
  | { kind: 'evictOldest' };

const MIN_QUEUE_TO_COMPACT = 8;
const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const set = fc.record({ kind: fc.constant('set' as const), key, value: fc.nat() });
const remove = fc.record({ kind: fc.constant('delete' as const), key });
const evictOldest = fc.record({ kind: fc.constant('evictOldest' as const) });
// Evictions consume stale queue entries as they go; only a stretch without them (a store below capacity
// rewriting the same keys) fills the queue until it compacts. Both phases alternate, and the threshold
// is lowered so that runs stay short and a failure shrinks fast.
const phase = (evictionWeight: number) =>
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: set },
      { weight: 2, arbitrary: remove },
      { weight: evictionWeight, arbitrary: evictOldest },
    ),
    { maxLength: 60 },
  );
const operations: fc.Arbitrary<Operation[]> = fc
  .array(fc.oneof(phase(2), phase(0)), { maxLength: 6 })
  .map((phases) => phases.flat());

describe('WriteOrderedMap', () => {
  it('behaves like a Map re-inserted on every write, whose first entry is the oldest', () => {
    fc.assert(
      fc.property(operations, (operations) => {
        const map = new WriteOrderedMap<string, number>(MIN_QUEUE_TO_COMPACT);
        const model = new Map<string, number>();
        for (const op of operations) {
          if (op.kind === 'set') {
            map.set(op.key, op.value);
            model.delete(op.key);
            model.set(op.key, op.value);
          } else if (op.kind === 'delete') {
            expect(map.delete(op.key)).toBe(model.delete(op.key));
          } else {
            const oldest = map.oldest();
            const [modelKey, modelValue] = model.entries().next().value ?? [];
            expect(oldest).toEqual(
              modelKey === undefined ? undefined : { key: modelKey, value: modelValue },
            );
            if (oldest) map.delete(oldest.key);
            if (modelKey !== undefined) model.delete(modelKey);
          }
          expect(map.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(map.get(k)).toBe(v);
      }),
      { numRuns: 1_000 },
    );
  });
});

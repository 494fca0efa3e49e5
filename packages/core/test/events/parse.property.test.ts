import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EPOCH_MS_MAX, EPOCH_MS_MIN } from '../../src/events/fields.js';
import { MAX_NESTING_DEPTH } from '../../src/events/parse.js';
import { PURCHASELY_EVENT_NAMES, parsePurchaselyEvent } from '../../src/index.js';
import { eventFixtures } from '../fixtures.js';

const fixtureBodies = [...eventFixtures.values()].map(
  (text) => JSON.parse(text) as Record<string, unknown>,
);

/** A published payload with one field removed, retyped, or added, or its name swapped. */
const mutatedFixture = fc
  .tuple(
    fc.constantFrom(...fixtureBodies),
    fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), index: fc.nat() }),
      fc.record({ kind: fc.constant('retype' as const), index: fc.nat(), value: fc.jsonValue() }),
      fc.record({ kind: fc.constant('add' as const), key: fc.string(), value: fc.jsonValue() }),
      fc.record({
        kind: fc.constant('rename' as const),
        name: fc.oneof(fc.constantFrom(...PURCHASELY_EVENT_NAMES), fc.string()),
      }),
    ),
  )
  .map(([body, mutation]) => {
    const copy: Record<string, unknown> = { ...body };
    const keys = Object.keys(copy);
    switch (mutation.kind) {
      case 'delete':
        delete copy[keys[mutation.index % keys.length]!];
        break;
      case 'retype':
        copy[keys[mutation.index % keys.length]!] = mutation.value;
        break;
      case 'add':
        copy[mutation.key] = mutation.value;
        break;
      case 'rename':
        copy.event_name = mutation.name;
        break;
    }
    return copy;
  });

const anyBody = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 256 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.jsonValue(),
  mutatedFixture,
  mutatedFixture.map((body) => JSON.stringify(body)),
  // A valid body cut short anywhere, as a dropped connection would leave it.
  fc
    .tuple(fc.constantFrom(...eventFixtures.values()), fc.nat())
    .map(([text, cut]) => text.slice(0, cut % text.length)),
);

describe('parsePurchaselyEvent on random and mutated input', () => {
  it('never throws, and every accepted event has a name and the required fields', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const result = parsePurchaselyEvent(body);
        if (result.ok) {
          const { event } = result;
          expect(typeof event.event_name).toBe('string');
          expect(typeof event.environment).toBe('string');
          expect(event.event_created_at_ms).toBeGreaterThanOrEqual(EPOCH_MS_MIN);
          expect(event.event_created_at_ms).toBeLessThan(EPOCH_MS_MAX);
          // A dedup key can be built: event_id, or both store transaction ids.
          if (typeof event.event_id !== 'string' || event.event_id === '') {
            expect(event.store_transaction_id).toEqual(expect.any(String));
            expect(event.store_original_transaction_id).toEqual(expect.any(String));
          }
          expect(() => JSON.stringify(event)).not.toThrow();
        } else {
          expect(result.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts a known event exactly when its name is in the catalog', () => {
    fc.assert(
      fc.property(mutatedFixture, (body) => {
        const result = parsePurchaselyEvent(body);
        if (result.ok) {
          expect(result.known).toBe(PURCHASELY_EVENT_NAMES.includes(body.event_name as never));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

/** A value that, set as a field of the body, nests the body `depth` levels in all (the body is level 1). */
const nested = fc
  .tuple(
    fc.integer({ min: 1, max: 3 * MAX_NESTING_DEPTH }),
    fc.array(fc.boolean(), { minLength: 1 }),
  )
  .map(([depth, shapes]) => {
    let value: unknown = 'leaf';
    for (let level = 1; level < depth; level++) {
      value = shapes[level % shapes.length] ? [value] : { k: value };
    }
    return { depth, value };
  });

describe('parsePurchaselyEvent on bounded input', () => {
  it('accepts an epoch exactly when it is a whole number of ms in [2000-01-01, 2100-01-01)', () => {
    const activate = fixtureBodies.find((body) => body.event_name === 'ACTIVATE')!;
    const epoch = fc.oneof(
      fc.integer({ min: EPOCH_MS_MIN - 1000, max: EPOCH_MS_MIN + 1000 }),
      fc.integer({ min: EPOCH_MS_MAX - 1000, max: EPOCH_MS_MAX + 1000 }),
      fc.double({ noNaN: true }),
      fc.maxSafeInteger(),
    );
    fc.assert(
      fc.property(epoch, fc.constantFrom('event_created_at_ms', 'purchased_at_ms'), (ms, field) => {
        const result = parsePurchaselyEvent({ ...activate, [field]: ms });
        const plausible = Number.isInteger(ms) && ms >= EPOCH_MS_MIN && ms < EPOCH_MS_MAX;
        expect(result.ok).toBe(plausible);
        if (!result.ok) expect(result.error.code).toBe('invalid_payload');
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a body exactly when it nests no deeper than the bound, as text or value', () => {
    const activate = fixtureBodies.find((body) => body.event_name === 'ACTIVATE')!;
    fc.assert(
      fc.property(nested, ({ depth, value }) => {
        const body = { ...activate, extra: value };
        const fits = depth <= MAX_NESTING_DEPTH;
        for (const input of [body, JSON.stringify(body)]) {
          const result = parsePurchaselyEvent(input);
          expect(result.ok).toBe(fits);
          if (!result.ok) expect(result.error.code).toBe('invalid_payload');
        }
      }),
      { numRuns: 1000 },
    );
  });
});

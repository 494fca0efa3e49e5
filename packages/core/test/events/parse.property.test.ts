import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
          expect(typeof result.event.event_name).toBe('string');
          expect(typeof result.event.event_created_at_ms).toBe('number');
          expect(typeof result.event.store_transaction_id).toBe('string');
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

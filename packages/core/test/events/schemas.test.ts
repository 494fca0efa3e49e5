/**
 * `purchaselyEventSchema` is built lazily (a `z.lazy` discriminated union over per-event schemas built on
 * first use), and `parsePurchaselyEvent` goes straight to the one event's schema. Both must decide exactly
 * as the union does, for every event name; composing with the user's own zod copy is proved against the
 * packed package in tests/tarball (fixtures/zod).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { schemaForEvent } from '../../src/events/schemas.js';
import {
  PURCHASELY_EVENT_NAMES,
  parsePurchaselyEvent,
  purchaselyEventSchema,
} from '../../src/index.js';
import { eventFixtures } from '../fixtures.js';

const fixtureBodies = [...eventFixtures.values()].map(
  (text) => JSON.parse(text) as Record<string, unknown>,
);

/** A published payload under any known name, with one field possibly retyped. */
const knownBody = fc
  .tuple(
    fc.constantFrom(...fixtureBodies),
    fc.constantFrom(...PURCHASELY_EVENT_NAMES),
    fc.option(fc.tuple(fc.nat(), fc.jsonValue()), { nil: undefined }),
  )
  .map(([body, name, retype]) => {
    const copy: Record<string, unknown> = { ...body, event_name: name };
    if (retype) {
      const keys = Object.keys(copy).filter((key) => key !== 'event_name');
      copy[keys[retype[0] % keys.length]!] = retype[1];
    }
    return copy;
  });

describe('purchaselyEventSchema, built lazily', () => {
  it('decides as the event’s own schema does, with the same data or the same issues', () => {
    fc.assert(
      fc.property(knownBody, (body) => {
        const viaUnion = purchaselyEventSchema.safeParse(body);
        const direct = schemaForEvent(body.event_name as never).safeParse(body);
        expect(viaUnion.success).toBe(direct.success);
        if (viaUnion.success && direct.success) expect(viaUnion.data).toEqual(direct.data);
        else expect(viaUnion.error?.issues).toEqual(direct.error?.issues);
        // parsePurchaselyEvent also checks api_version and nesting, which the schema leaves alone.
        if (body.api_version === 3) expect(parsePurchaselyEvent(body).ok).toBe(viaUnion.success);
      }),
      { numRuns: 300 },
    );
  });

  it('gives every name its own schema, built once', () => {
    for (const name of PURCHASELY_EVENT_NAMES) {
      expect(schemaForEvent(name)).toBe(schemaForEvent(name));
      const body = { ...fixtureBodies[0], event_name: name };
      // Another event's schema refuses the name (its `event_name` is a literal).
      const other = PURCHASELY_EVENT_NAMES.find((candidate) => candidate !== name)!;
      expect(schemaForEvent(other).safeParse(body).success).toBe(false);
    }
  });

  it('refuses a name outside the catalog, as the discriminated union does', () => {
    const result = purchaselyEventSchema.safeParse({ ...fixtureBodies[0], event_name: 'NOPE' });
    expect(result.success).toBe(false);
  });

  it('composes with zod: inside an object, an array and an optional', () => {
    const envelope = z.object({
      receivedAt: z.number(),
      events: z.array(purchaselyEventSchema),
      previous: z.optional(purchaselyEventSchema),
    });
    const body = fixtureBodies[0]!;
    expect(envelope.parse({ receivedAt: 1, events: [body] }).events[0]).toEqual(body);
    const bad = envelope.safeParse({
      receivedAt: 1,
      events: [{ ...body, event_created_at_ms: 'soon' }],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['events', 0, 'event_created_at_ms']);
  });
});

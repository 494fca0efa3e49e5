import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriptionUpdate } from '../../core/src/state/subscriptions.js';
import { mergeSubscriptionUpdates } from '../../core/src/state/subscriptions.js';
import { createRedisStore } from '../src/index.js';
import { connect, type TestClient } from './clients.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

// Strings that order differently by UTF-16 code units, by UTF-8 bytes and by a locale's collation (case,
// accents, U+E000–U+FFFF against astral characters), plus what JSON must escape.
const unit = fc.constantFrom(
  'a',
  'b',
  'B',
  'é',
  'e',
  '\uE000',
  '\uFFFF',
  '😀',
  '𝔸',
  '"',
  '\\',
  '/',
  '\n',
  '1',
  ' ',
);
const text = fc.string({ unit, maxLength: 3 });
const names = fc.oneof(
  fc.constantFrom('status', 'plan', '__proto__', 'constructor', '0', '10', '9'),
  text,
);

// Every kind of number a double can be, the ones JSON cannot hold included (the merge ignores them).
const number = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    1.5,
    -2,
    0.1,
    1_700_000_000_000,
    2 ** 53,
    2 ** 53 + 2,
    1e21,
    1e-7,
    5e-324,
  ),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.double(),
  fc.integer(),
);

const versionArbitrary = fc.record({
  at: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1_000, max: 1_003 }) },
    { weight: 1, arbitrary: number },
  ),
  id: fc.oneof(fc.constantFrom('evt_a', 'evt_b', 'evt_B'), text),
});

const updateArbitrary: fc.Arbitrary<SubscriptionUpdate> = fc.record({
  subscriptionKey: fc.oneof(fc.constantFrom('sub_news', 'sub_games', '__proto__', '1', '02'), text),
  version: versionArbitrary,
  fields: fc
    .array(
      fc.tuple(names, fc.oneof(text, fc.constantFrom('ACTIVE', 'EXPIRED'), number, fc.boolean())),
      {
        maxLength: 5,
      },
    )
    .map((entries) => Object.fromEntries(entries)),
});

const updates = fc.array(updateArbitrary, { maxLength: 25 });

/** What a store that keeps JSON can give back: core's result through JSON (-0 in a version becomes 0). */
const throughJson = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('the Lua merge gives exactly what mergeSubscriptionUpdates gives', () => {
  let server: RedisServer;
  let client: TestClient;
  beforeAll(async () => {
    server = await startRedisServer();
    client = await connect('ioredis 5', server);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('for random updates merged in two calls, with and without a tight bound: same state, same JSON, same key order', async () => {
    await fc.assert(
      fc.asyncProperty(
        updates,
        updates,
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        async (before, after, maxSubscriptions) => {
          const store = createRedisStore({
            redis: client.commands,
            prefix: `merge:${crypto.randomUUID()}:`,
            ...(maxSubscriptions === undefined
              ? {}
              : { maxSubscriptionsPerPerson: maxSubscriptions }),
          });
          const options = maxSubscriptions === undefined ? {} : { maxSubscriptions };
          const first = mergeSubscriptionUpdates({}, before, options);
          const second = mergeSubscriptionUpdates(first, after, options);

          const fromLuaFirst = await store.mergeSubscriptions('person', before);
          const fromLuaSecond = await store.mergeSubscriptions('person', after);

          expect(fromLuaFirst).toEqual(throughJson(first));
          expect(fromLuaSecond).toEqual(throughJson(second));
          expect(JSON.stringify(fromLuaSecond)).toBe(JSON.stringify(second));
          expect(await store.readSubscriptions('person')).toEqual(fromLuaSecond);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('orders strings as JavaScript does, not by bytes nor by locale', async () => {
    const store = createRedisStore({
      redis: client.commands,
      prefix: `order:${crypto.randomUUID()}:`,
    });
    // By UTF-8 bytes U+FFFF ('\uFFFF', EF BF BF) sorts before 😀 (F0 9F 98 80); by UTF-16 code units after.
    const at = 1_000;
    const merged = await store.mergeSubscriptions('person', [
      { subscriptionKey: 'sub', version: { at, id: '\uFFFF' }, fields: { status: 'astral-first' } },
      { subscriptionKey: 'sub', version: { at, id: '😀' }, fields: { status: 'bmp-last' } },
      { subscriptionKey: 'sub', version: { at, id: 'x' }, fields: { plan: 'B' } },
      { subscriptionKey: 'sub', version: { at, id: 'x' }, fields: { plan: 'a' } },
    ]);
    expect(merged.sub?.version.id).toBe('\uFFFF');
    expect(merged.sub?.fields.status?.value).toBe('astral-first');
    // Same version, different values: the greater wins, 'a' (0x61) > 'B' (0x42) in code units.
    expect(merged.sub?.fields.plan?.value).toBe('a');
  });

  it('keeps every double exactly, where cjson would print 14 digits', async () => {
    const store = createRedisStore({
      redis: client.commands,
      prefix: `numbers:${crypto.randomUUID()}:`,
    });
    const values = [0.1 + 0.2, 2 ** 53, 1_700_000_000_123, 1e21, 5e-324, -1.7976931348623157e308];
    const state = await store.mergeSubscriptions(
      'person',
      values.map((value, index) => ({
        subscriptionKey: `sub_${index}`,
        version: { at: value, id: 'evt' },
        fields: { value },
      })),
    );
    expect(values.map((_, index) => state[`sub_${index}`]?.fields.value?.value)).toEqual(values);
    expect(values.map((_, index) => state[`sub_${index}`]?.version.at)).toEqual(values);
  });

  it('stores lone surrogates, which cjson cannot decode, as U+FFFD rather than failing', async () => {
    const store = createRedisStore({
      redis: client.commands,
      prefix: `lone:${crypto.randomUUID()}:`,
    });
    const merged = await store.mergeSubscriptions('person', [
      {
        subscriptionKey: 'sub\uD800',
        version: { at: 1, id: 'e\uDC00' },
        fields: { 'f\uD800x': 'v\uDFFF😀' },
      },
    ]);
    expect(merged).toEqual({
      'sub\uFFFD': {
        subscriptionKey: 'sub\uFFFD',
        version: { at: 1, id: 'e\uFFFD' },
        fields: { 'f\uFFFDx': { value: 'v\uFFFD😀', version: { at: 1, id: 'e\uFFFD' } } },
      },
    });
  });
});

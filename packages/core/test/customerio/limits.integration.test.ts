import { describe, expect, it } from 'vitest';
import {
  type CustomerIoClient,
  CustomerIoValidationError,
  type TrackV2Operation,
} from '../../src/customerio/index.js';
import { rejectionOf, testClient, useEmulator } from './helpers.js';

const manyAttributes = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`attr_${i}`, i]));

/** Each case breaks one limit; none may send a request. */
const cases: Array<
  [string, (client: CustomerIoClient) => Promise<unknown>, string, number | string | undefined]
> = [
  ['identifier over 150 bytes', (c) => c.identify('x'.repeat(151), {}), 'person', 150],
  ['empty identifier', (c) => c.track('', { name: 'e' }), 'person', 'non-empty'],
  [
    'attribute name over 150 bytes',
    (c) => c.identify('u', { ['n'.repeat(151)]: 1 }),
    'attributes.',
    150,
  ],
  [
    'attribute value over 1000 bytes',
    (c) => c.identify('u', { bio: 'é'.repeat(501) }),
    'attributes.bio',
    1000,
  ],
  [
    'non-string value over 1000 JSON bytes',
    (c) => c.identify('u', { tags: Array(300).fill('abc') }),
    'attributes.tags',
    1000,
  ],
  ['301 attributes', (c) => c.identify('u', manyAttributes(301)), 'attributes', 300],
  ['empty event name', (c) => c.track('u', { name: ' ' }), 'event.name', 'non-empty'],
  ['event name over 100 bytes', (c) => c.track('u', { name: 'n'.repeat(101) }), 'event.name', 100],
  [
    'page URL over 100 bytes',
    (c) => c.trackPageView('u', `https://example.com/${'p'.repeat(90)}`),
    'event.name',
    100,
  ],
  [
    'event data over 100,000 bytes',
    (c) => c.track('u', { name: 'e', data: { blob: 'x'.repeat(100_000) } }),
    'event.data',
    100_000,
  ],
  [
    'millisecond event timestamp',
    (c) => c.track('u', { name: 'e', timestamp: Date.now() }),
    'event.timestamp',
    1e10,
  ],
  [
    'millisecond identify timestamp',
    (c) => c.identify('u', {}, { timestamp: 1_700_000_000_000 }),
    'options.timestamp',
    1e10,
  ],
  [
    'millisecond created_at',
    (c) => c.identify('u', { created_at: 1_700_000_000_000 }),
    'attributes.created_at',
    1e10,
  ],
  [
    'millisecond device last_used',
    (c) => c.addDevice('u', { token: 't', platform: 'ios', lastUsed: 1_700_000_000_000 }),
    'device.lastUsed',
    1e10,
  ],
  ['non-ULID event id', (c) => c.track('u', { name: 'e', id: 'evt_123' }), 'event.id', 'ULID'],
  [
    'anonymous id over 150 bytes',
    (c) => c.trackAnonymous('a'.repeat(151), { name: 'e' }),
    'anonymousId',
    150,
  ],
  [
    'merge with two identifiers',
    (c) => c.mergeCustomers({ id: 'a', email: 'b' } as never, { id: 'c' }),
    'primary',
    1,
  ],
  [
    '/entity body of 32 KB',
    (c) =>
      c.entity({
        type: 'person',
        action: 'event',
        identifiers: { id: 'u' },
        name: 'big',
        attributes: { blob: 'x'.repeat(32 * 1024) },
      }),
    'operation',
    32 * 1024 - 1,
  ],
];

describe('limits are enforced before any request leaves', () => {
  const { emulator } = useEmulator();

  it.each(cases)('%s', async (_label, call, field, limit) => {
    const error = await rejectionOf(call(testClient()));
    expect(error).toBeInstanceOf(CustomerIoValidationError);
    expect((error as CustomerIoValidationError).field.startsWith(field)).toBe(true);
    if (limit !== undefined) expect((error as CustomerIoValidationError).limit).toBe(limit);
    expect((error as Error).message).toContain((error as CustomerIoValidationError).field);
    expect(emulator.requests).toEqual([]);
  });

  it('rejects a whole batch up front when one operation is over 32 KB, naming its index', async () => {
    const ops: TrackV2Operation[] = Array.from({ length: 5 }, (_, i) => ({
      type: 'person',
      action: 'event',
      identifiers: { id: `u${i}` },
      name: 'e',
      attributes: { blob: 'x'.repeat(i === 3 ? 33 * 1024 : 10) },
    }));
    const error = (await rejectionOf(testClient().batch(ops))) as CustomerIoValidationError;
    expect(error).toBeInstanceOf(CustomerIoValidationError);
    expect(error.index).toBe(3);
    expect(error.field).toBe('batch[3]');
    expect(error.limit).toBe(32 * 1024);
    expect(emulator.requests).toEqual([]);
  });

  it('rejects a whole batch when any operation breaks a limit', async () => {
    const error = (await rejectionOf(
      testClient().batch([
        { type: 'person', action: 'identify', identifiers: { id: 'u' }, attributes: { a: 1 } },
        {
          type: 'person',
          action: 'identify',
          identifiers: { id: 'u' },
          timestamp: 1_700_000_000_000,
        },
      ]),
    )) as CustomerIoValidationError;
    expect(error).toMatchObject({ index: 1, field: 'batch[1].timestamp' });
    expect(error.message).toMatch(/divide by 1000/);
    expect(emulator.requests).toEqual([]);
  });

  it('accepts values exactly at the limits (and the emulator agrees)', async () => {
    const client = testClient();
    await client.identify('x'.repeat(150), {
      ['n'.repeat(150)]: 'v'.repeat(1000),
      ...manyAttributes(299),
    });
    await client.track('x'.repeat(150), {
      name: 'n'.repeat(100),
      data: { blob: 'x'.repeat(100_000 - '{"blob":""}'.length) },
    });
    expect(emulator.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('rejects bad client options without echoing the key', () => {
    expect(() => testClient({ apiKey: '' })).toThrow(/apiKey/);
    expect(() => testClient({ region: 'mars' as never })).toThrow(/region/);
    expect(() => testClient({ baseUrl: 'not a url' })).toThrow(/baseUrl/);
    expect(() => testClient({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

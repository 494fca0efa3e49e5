import { describe, expect, it } from 'vitest';
import { basicAuth, call, setupMsw, ulid } from './helpers.js';

const emulate = setupMsw();

/** `n` bytes of UTF-8 from two-byte characters, so a char count would get the limit wrong. */
const twoByteText = (bytes: number) => 'é'.repeat(Math.floor(bytes / 2)) + (bytes % 2 ? 'a' : '');

const identifyErrors = (...errors: string[]) => ({ status: 400, json: { meta: { errors } } });
const singleError = (error: string) => ({ status: 400, json: { meta: { error } } });

describe('identify limits answer 400 {"meta":{"errors":[...]}}', () => {
  it('limits the path identifier to 150 UTF-8 bytes', async () => {
    const emulator = emulate();
    const ok = await call('PUT', `/api/v1/customers/${encodeURIComponent(twoByteText(150))}`, {});
    const tooLong = await call(
      'PUT',
      `/api/v1/customers/${encodeURIComponent(twoByteText(151))}`,
      {},
    );

    expect(ok.status).toBe(200);
    expect(tooLong).toMatchObject(identifyErrors('id attribute cannot be longer than 150 bytes'));
    expect(emulator.people.size).toBe(1);
  });

  it('allows 300 attributes per call and refuses 301', async () => {
    const attributes = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`a${i}`, i]));
    const emulator = emulate();

    expect(
      (await call('PUT', '/api/v1/customers/42', { ...attributes(300), _timestamp: 1_700_000_000 }))
        .status,
    ).toBe(200);
    expect(await call('PUT', '/api/v1/customers/43', attributes(301))).toMatchObject(
      identifyErrors('cannot identify more than 300 attributes in one request'),
    );
    expect(emulator.people.has('43')).toBe(false);
  });

  it('limits attribute names to 150 bytes', async () => {
    emulate();
    expect((await call('PUT', '/api/v1/customers/42', { [twoByteText(150)]: 1 })).status).toBe(200);
    expect(await call('PUT', '/api/v1/customers/42', { [twoByteText(151)]: 1 })).toMatchObject(
      identifyErrors('attribute name cannot be longer than 150 bytes'),
    );
  });

  it('limits string values to 1000 UTF-8 bytes and other values to 1000 bytes of JSON', async () => {
    emulate();
    expect((await call('PUT', '/api/v1/customers/42', { bio: twoByteText(1000) })).status).toBe(
      200,
    );
    expect(await call('PUT', '/api/v1/customers/42', { bio: twoByteText(1001) })).toMatchObject(
      identifyErrors("value for attribute 'bio' cannot be longer than 1000 bytes"),
    );
    expect(
      await call('PUT', '/api/v1/customers/42', {
        tags: Array.from({ length: 200 }, () => 'abcd'),
      }),
    ).toMatchObject(identifyErrors("value for attribute 'tags' cannot be longer than 1000 bytes"));
  });

  it('reports every breach of one call', async () => {
    emulate();
    const answer = await call('PUT', '/api/v1/customers/42', {
      a: 'x'.repeat(1001),
      b: 'y'.repeat(1001),
    });

    expect(answer).toMatchObject(
      identifyErrors(
        "value for attribute 'a' cannot be longer than 1000 bytes",
        "value for attribute 'b' cannot be longer than 1000 bytes",
      ),
    );
  });

  it.each([
    [42, 'id attribute must be a string value'],
    ['', 'id attribute cannot be an empty string'],
    [null, 'id attribute must be present'],
  ])('checks the id attribute %j', async (id, message) => {
    emulate();
    expect(
      await call('PUT', `/api/v1/customers/${encodeURIComponent('a@x.com')}`, { id }),
    ).toMatchObject(identifyErrors(message));
  });

  it.each([
    [
      '_timestamp',
      1_700_000_000_000,
      '_timestamp must be a unix timestamp in seconds, not milliseconds',
    ],
    [
      'created_at',
      1_700_000_000_000,
      'created_at must be a unix timestamp in seconds, not milliseconds',
    ],
    ['_timestamp', 1_700_000_000.5, '_timestamp must be a unix timestamp in seconds'],
    ['_timestamp', '1700000000', '_timestamp must be a unix timestamp in seconds'],
  ])('refuses %s = %j', async (field, value, message) => {
    const emulator = emulate();
    expect(await call('PUT', '/api/v1/customers/42', { [field]: value })).toMatchObject(
      identifyErrors(message),
    );
    expect(emulator.people.size).toBe(0);
  });
});

describe('event limits answer 400 {"meta":{"error":"..."}}', () => {
  it.each([
    ['a missing name', { data: {} }, 'event name must not be blank'],
    ['a blank name', { name: '   ' }, 'event name must not be blank'],
    ['a 101-byte name', { name: twoByteText(101) }, 'event name cannot be longer than 100 bytes'],
    ['string data', { name: 'x', data: '' }, 'event data must be a hash'],
    ['array data', { name: 'x', data: [] }, 'event data must be a hash'],
    [
      'data over 100,000 bytes',
      { name: 'x', data: { blob: 'x'.repeat(100_000) } },
      'event data cannot be longer than 100000 bytes',
    ],
    [
      'a millisecond timestamp',
      { name: 'x', timestamp: 1_700_000_000_000 },
      'timestamp must be a unix timestamp in seconds, not milliseconds',
    ],
    [
      'an id that is not a ULID',
      { name: 'x', id: 'b7c2e9a0-4d1f-4c1e-9a55-2f0f5d7c9e11' },
      'id must be a valid ULID',
    ],
  ])('refuses %s', async (_case, body, message) => {
    const emulator = emulate();
    expect(await call('POST', '/api/v1/customers/42/events', body)).toMatchObject(
      singleError(message),
    );
    expect(await call('POST', '/api/v1/events', body)).toMatchObject(singleError(message));
    expect(emulator.events).toEqual([]);
  });

  it('accepts a 100-byte name and 100,000 bytes of data', async () => {
    const emulator = emulate();
    const data = { blob: 'x'.repeat(100_000 - '{"blob":""}'.length) };
    const answer = await call('POST', '/api/v1/customers/42/events', {
      name: twoByteText(100),
      data,
    });

    expect(answer.status).toBe(200);
    expect(emulator.events).toHaveLength(1);
  });

  it('refuses a millisecond device last_used', async () => {
    emulate();
    const answer = await call('PUT', '/api/v1/customers/42/devices', {
      device: { id: 'tok', platform: 'android', last_used: 1_700_000_000_000 },
    });

    expect(answer).toMatchObject(
      singleError('device.last_used must be a unix timestamp in seconds, not milliseconds'),
    );
  });
});

describe('event ids', () => {
  it('accepts ULIDs in any case and treats case variants as the same id', async () => {
    const emulator = emulate();
    const id = ulid(7);
    expect(
      (await call('POST', '/api/v1/customers/42/events', { name: 'renewed', id })).status,
    ).toBe(200);
    expect(
      (await call('POST', '/api/v1/customers/42/events', { name: 'renewed', id: id.toLowerCase() }))
        .status,
    ).toBe(200);

    expect(emulator.events).toHaveLength(1);
    expect(emulator.stats.duplicateEvents).toBe(1);
  });

  it('ignores a repeated id with 200, across endpoints, and counts it', async () => {
    const emulator = emulate();
    const id = ulid(1);
    await call('POST', '/api/v1/customers/42/events', { name: 'renewed', id });
    const again = await call('POST', '/api/v1/customers/42/events', {
      name: 'renewed',
      id,
      data: { x: 1 },
    });
    const anonymous = await call('POST', '/api/v1/events', { name: 'other', id });
    const v2 = await call('POST', '/api/v2/entity', {
      type: 'person',
      identifiers: { id: '42' },
      action: 'event',
      name: 'renewed',
      id,
    });

    expect([again.status, anonymous.status, v2.status]).toEqual([200, 200, 200]);
    expect(emulator.events).toHaveLength(1);
    expect(emulator.events[0]?.data).toEqual({});
    expect(emulator.stats.duplicateEvents).toBe(3);
  });

  it('stores events without an id every time', async () => {
    const emulator = emulate();
    await call('POST', '/api/v1/customers/42/events', { name: 'renewed' });
    await call('POST', '/api/v1/customers/42/events', { name: 'renewed' });

    expect(emulator.events).toHaveLength(2);
    expect(emulator.stats.duplicateEvents).toBe(0);
  });

  it('dedupes per workspace', async () => {
    const emulator = emulate({
      workspaces: [
        { siteId: 'a', apiKey: 'ka', region: 'us' },
        { siteId: 'b', apiKey: 'kb', region: 'us' },
      ],
    });
    await call(
      'POST',
      '/api/v1/events',
      { name: 'x', id: ulid(1) },
      { auth: basicAuth('a', 'ka') },
    );
    await call(
      'POST',
      '/api/v1/events',
      { name: 'x', id: ulid(1) },
      { auth: basicAuth('b', 'kb') },
    );

    expect(emulator.workspace('a').events).toHaveLength(1);
    expect(emulator.workspace('b').events).toHaveLength(1);
    expect(emulator.stats.duplicateEvents).toBe(0);
  });
});

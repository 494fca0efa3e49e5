import { describe, expect, it } from 'vitest';
import { call, fakeClock, setupMsw, ulid } from './helpers.js';

const emulate = setupMsw();

const person = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  type: 'person',
  identifiers: { id },
  action,
  ...extra,
});

/** A JSON body of exactly `bytes` bytes. */
const entityOfSize = (bytes: number) => {
  const shell = JSON.stringify(person('42', 'event', { name: 'x', attributes: { pad: '' } }));
  return JSON.stringify(
    person('42', 'event', { name: 'x', attributes: { pad: 'x'.repeat(bytes - shell.length) } }),
  );
};

describe('Track v2: /entity', () => {
  it('removes attributes sent as null or an empty string', async () => {
    const emulator = emulate();
    const send = (attributes: Record<string, unknown>) =>
      call('POST', '/api/v2/entity', person('42', 'identify', { attributes }));
    await send({ plan: 'pro', country: 'FR', coupon: 'X' });
    await send({ plan: 'max', coupon: null, country: '' });

    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'max' });
  });

  it('orders identify calls by timestamp per person, as v1 does', async () => {
    const emulator = emulate();
    const send = (attributes: Record<string, unknown>, timestamp?: number) =>
      call(
        'POST',
        '/api/v2/entity',
        person('42', 'identify', { attributes, ...(timestamp === undefined ? {} : { timestamp }) }),
      );
    await send({ plan: 'max' }, 1_700_000_200);
    await send({ plan: 'pro', seats: 5 }, 1_700_000_100);
    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'max' });
    await send({ seats: 3 });
    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'max', seats: 3 });
  });

  it('applies each person action to the same state v1 uses', async () => {
    const clock = fakeClock();
    const emulator = emulate({ now: clock.now });
    const send = (operation: unknown) => call('POST', '/api/v2/entity', operation);

    expect(
      await send(
        person('42', 'identify', { attributes: { plan: 'pro' }, timestamp: 1_700_000_000 }),
      ),
    ).toMatchObject({
      status: 200,
      json: {},
    });
    await send(person('42', 'event', { name: 'renewed', id: ulid(1), attributes: { price: 9 } }));
    await send(person('42', 'page', { name: '/pricing' }));
    await send(person('42', 'screen', { name: 'Paywall' }));
    await send(person('42', 'add_device', { device: { token: 'tok', platform: 'android' } }));

    const subject = emulator.people.get('42');
    expect(subject?.attributes).toEqual({ plan: 'pro' });
    expect(subject?.updates[0]?.timestamp).toBe(1_700_000_000);
    expect(subject?.devices.map((device) => device.token)).toEqual(['tok']);
    expect(emulator.events.map(({ name, type, data }) => ({ name, type, data }))).toEqual([
      { name: 'renewed', type: 'event', data: { price: 9 } },
      { name: '/pricing', type: 'page', data: {} },
      { name: 'Paywall', type: 'screen', data: {} },
    ]);

    await send(person('42', 'delete_device', { device: { token: 'tok' } }));
    expect(emulator.people.get('42')?.devices).toEqual([]);
    await send(person('42', 'suppress'));
    expect(emulator.people.get('42')?.suppressed).toBe(true);
    await send(person('42', 'unsuppress'));
    expect(emulator.people.has('42')).toBe(false);
  });

  it('identifies by email and by cio_id without the cio_ prefix', async () => {
    const emulator = emulate();
    await call('POST', '/api/v2/entity', {
      type: 'person',
      identifiers: { email: 'a@x.com' },
      action: 'identify',
      attributes: { plan: 'pro' },
    });
    const cioId = emulator.people.get('a@x.com')?.cioId;
    await call('POST', '/api/v2/entity', {
      type: 'person',
      identifiers: { cio_id: cioId },
      action: 'identify',
      attributes: { seats: 2 },
    });

    expect(emulator.people.get('a@x.com')?.attributes).toEqual({ plan: 'pro', seats: 2 });
  });

  it('honours attributes._update', async () => {
    const emulator = emulate();
    await call(
      'POST',
      '/api/v2/entity',
      person('42', 'identify', { attributes: { plan: 'pro', _update: true } }),
    );

    expect(emulator.people.size).toBe(0);
    expect(emulator.stats.droppedOperations).toBe(1);
  });

  it('deletes a person', async () => {
    const emulator = emulate();
    await call('POST', '/api/v2/entity', person('42', 'identify'));
    await call('POST', '/api/v2/entity', person('42', 'delete'));

    expect(emulator.people.size).toBe(0);
  });

  it('accepts object and delivery operations without modelling them', async () => {
    const emulator = emulate();
    const answer = await call('POST', '/api/v2/entity', {
      type: 'object',
      identifiers: { object_type_id: '1', object_id: 'acme' },
      action: 'identify',
      attributes: { name: 'Acme' },
    });

    expect(answer.status).toBe(200);
    expect(emulator.people.size).toBe(0);
  });

  it('takes a request of 32,767 bytes and refuses 32,768 with 400 {errors}', async () => {
    const emulator = emulate();
    expect((await call('POST', '/api/v2/entity', entityOfSize(32 * 1024 - 1))).status).toBe(200);

    expect(await call('POST', '/api/v2/entity', entityOfSize(32 * 1024))).toMatchObject({
      status: 400,
      json: {
        errors: [
          { reason: 'too_large', field: 'body', message: 'request must be smaller than 32kb' },
        ],
      },
    });
    expect(emulator.events).toHaveLength(1);
  });

  it.each([
    [
      'two identifiers',
      { type: 'person', identifiers: { id: '1', email: 'a@x.com' }, action: 'delete' },
      'identifiers',
    ],
    ['no identifiers', { type: 'person', action: 'delete' }, 'identifiers'],
    [
      'a phone identifier',
      { type: 'person', identifiers: { phone: '+33600000000' }, action: 'delete' },
      'identifiers',
    ],
    ['an unknown action', person('1', 'teleport'), 'action'],
    ['an unknown type', { type: 'planet', action: 'identify' }, 'type'],
    ['an event without name', person('1', 'event'), 'name'],
    [
      'event attributes that are not a hash',
      person('1', 'event', { name: 'x', attributes: 'no' }),
      'attributes',
    ],
    [
      'a millisecond timestamp',
      person('1', 'identify', { timestamp: 1_700_000_000_000 }),
      'timestamp',
    ],
    ['a non-ULID event id', person('1', 'event', { name: 'x', id: '123' }), 'id'],
    [
      'a device without token',
      person('1', 'add_device', { device: { platform: 'ios' } }),
      'device.token',
    ],
  ])('refuses an operation with %s: 400 naming the field', async (_case, operation, field) => {
    const emulator = emulate();
    const answer = await call('POST', '/api/v2/entity', operation);

    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      errors: [{ reason: expect.any(String), field, message: expect.any(String) }],
    });
    expect(emulator.people.size).toBe(0);
  });

  it('uses the documented messages for limits', async () => {
    emulate();
    const answer = await call(
      'POST',
      '/api/v2/entity',
      person('1', 'identify', { attributes: { bio: 'x'.repeat(1001) } }),
    );

    expect(answer.json).toEqual({
      errors: [
        {
          reason: 'too_large',
          field: 'attributes.bio',
          message: "value for attribute 'bio' cannot be longer than 1000 bytes",
        },
      ],
    });
  });

  it('answers 400 to a body that is not JSON', async () => {
    emulate();
    expect(await call('POST', '/api/v2/entity', '{')).toMatchObject({
      status: 400,
      json: {
        errors: [{ reason: 'invalid', field: 'body', message: 'request body must be valid JSON' }],
      },
    });
  });
});

describe('Track v2: /batch', () => {
  it('applies every operation in order and answers 200 {}', async () => {
    const emulator = emulate();
    const answer = await call('POST', '/api/v2/batch', {
      batch: [
        person('1', 'identify', { attributes: { plan: 'pro' } }),
        person('1', 'event', { name: 'renewed' }),
        person('2', 'identify', { attributes: { plan: 'max' } }),
        {
          type: 'object',
          identifiers: { object_type_id: '1', object_id: 'acme' },
          action: 'identify',
        },
      ],
    });

    expect(answer).toMatchObject({ status: 200, json: {} });
    expect([...emulator.people.keys()]).toEqual(['1', '2']);
    expect(emulator.events).toHaveLength(1);
  });

  it('applies the valid operations and answers 207 with each error at its batch_index', async () => {
    const emulator = emulate();
    const answer = await call('POST', '/api/v2/batch', {
      batch: [
        person('1', 'identify', { attributes: { plan: 'pro' } }),
        person('2', 'event', { name: '' }),
        person('3', 'identify', { attributes: { plan: 'max' } }),
        { type: 'person', identifiers: { id: '4', email: 'x@y.z' }, action: 'identify' },
      ],
    });

    expect(answer.status).toBe(207);
    expect(answer.json).toEqual({
      errors: [
        {
          batch_index: 1,
          reason: 'required',
          field: 'name',
          message: 'event name must not be blank',
        },
        {
          batch_index: 3,
          reason: 'invalid',
          field: 'identifiers',
          message: 'identifiers must contain exactly one of id, email or cio_id',
        },
      ],
    });
    expect([...emulator.people.keys()]).toEqual(['1', '3']);
  });

  it('refuses an operation over 32 KB with 207 while applying the rest', async () => {
    const emulator = emulate();
    const large = person('big', 'event', {
      name: 'x',
      attributes: { blob: 'x'.repeat(33 * 1024) },
    });
    const answer = await call('POST', '/api/v2/batch', { batch: [large, person('1', 'identify')] });

    expect(answer).toMatchObject({
      status: 207,
      json: {
        errors: [
          { batch_index: 0, reason: 'too_large', message: 'operation must be 32kb or smaller' },
        ],
      },
    });
    expect([...emulator.people.keys()]).toEqual(['1']);
  });

  it('accepts an operation of exactly 32 KB', async () => {
    emulate();
    const shell = JSON.stringify(person('1', 'event', { name: 'x', attributes: { blob: '' } }));
    const exact = person('1', 'event', {
      name: 'x',
      attributes: { blob: 'x'.repeat(32 * 1024 - shell.length) },
    });

    expect((await call('POST', '/api/v2/batch', { batch: [exact] })).status).toBe(200);
  });

  it('refuses a request of 500 KB or more with 400 and applies nothing', async () => {
    const emulator = emulate();
    const operation = person('1', 'event', { name: 'x', attributes: { blob: 'x'.repeat(20_000) } });
    const batch = Array.from({ length: 26 }, () => operation);
    expect(JSON.stringify({ batch }).length).toBeGreaterThanOrEqual(500 * 1024);

    expect(await call('POST', '/api/v2/batch', { batch })).toMatchObject({
      status: 400,
      json: {
        errors: [
          {
            reason: 'too_large',
            field: 'body',
            message: 'batch request must be smaller than 500kb',
          },
        ],
      },
    });
    expect(emulator.events).toEqual([]);
    expect((await call('POST', '/api/v2/batch', { batch: batch.slice(0, 24) })).status).toBe(200);
  });

  it.each([
    ['no batch', {}],
    ['a batch that is not an array', { batch: {} }],
  ])('refuses %s with 400', async (_case, body) => {
    emulate();
    expect(await call('POST', '/api/v2/batch', body)).toMatchObject({
      status: 400,
      json: {
        errors: [
          { reason: 'required', field: 'batch', message: 'batch must be an array of operations' },
        ],
      },
    });
  });
});

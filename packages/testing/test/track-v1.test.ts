import { describe, expect, it } from 'vitest';
import { call, fakeClock, setupMsw, ulid } from './helpers.js';

const emulate = setupMsw();

describe('Track v1: identify', () => {
  it('creates a person and answers 200 {} as JSON', async () => {
    const emulator = emulate();
    const answer = await call('PUT', '/api/v1/customers/42', {
      plan: 'pro',
      created_at: 1_700_000_000,
    });

    expect(answer).toMatchObject({ status: 200, contentType: 'application/json', json: {} });
    expect(emulator.people.get('42')).toMatchObject({
      id: '42',
      attributes: { plan: 'pro', created_at: 1_700_000_000 },
      suppressed: false,
    });
  });

  it('merges attributes on later calls and removes those sent empty', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/42', { plan: 'pro', country: 'FR', coupon: 'X' });
    await call('PUT', '/api/v1/customers/42', { plan: 'max', coupon: null, country: '' });

    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'max' });
    expect(emulator.people.get('42')?.updates).toHaveLength(2);
  });

  it('percent-decodes path identifiers and matches emails case-insensitively', async () => {
    const emulator = emulate();
    await call('PUT', `/api/v1/customers/${encodeURIComponent('Jane+Doe@Example.com')}`, {
      plan: 'pro',
    });
    await call('PUT', `/api/v1/customers/${encodeURIComponent('jane+doe@example.com')}`, {
      seats: 3,
    });

    expect(emulator.people.size).toBe(1);
    expect(emulator.people.get('JANE+DOE@EXAMPLE.COM')).toMatchObject({
      id: 'Jane+Doe@Example.com',
      email: 'Jane+Doe@Example.com',
      attributes: { plan: 'pro', seats: 3 },
    });
  });

  it('addresses a person by cio_<cioId> and lets that change their id', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/42', { plan: 'pro' });
    const cioId = emulator.people.get('42')?.cioId;
    await call('PUT', `/api/v1/customers/cio_${cioId}`, { id: '43' });

    expect(emulator.people.get('43')).toMatchObject({
      cioId,
      attributes: { plan: 'pro', id: '43' },
    });
    expect(emulator.people.has('42')).toBe(false);
    expect(emulator.people.get(`cio_${cioId}`)?.id).toBe('43');
  });

  it('drops, with 200, an id change made without cio_id (Attribute Update Failure)', async () => {
    const emulator = emulate();
    await call('PUT', `/api/v1/customers/${encodeURIComponent('a@x.com')}`, { id: '1' });
    const answer = await call('PUT', `/api/v1/customers/${encodeURIComponent('a@x.com')}`, {
      id: '2',
    });

    expect(answer.status).toBe(200);
    expect(emulator.people.get('a@x.com')?.id).toBe('1');
    expect(emulator.stats.droppedOperations).toBe(1);
  });

  it('gives an existing person the new path id when the body email is theirs', async () => {
    const emulator = emulate();
    await call('PUT', `/api/v1/customers/${encodeURIComponent('a@x.com')}`, { plan: 'pro' });
    await call('PUT', '/api/v1/customers/99', { email: 'a@x.com', seats: 2 });

    expect(emulator.people.size).toBe(1);
    expect(emulator.people.get('99')).toMatchObject({
      email: 'a@x.com',
      attributes: { plan: 'pro', seats: 2 },
    });
  });

  it('drops a call whose body id contradicts its path id', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/1', { email: 'a@x.com' });
    const contradicting = await call('PUT', '/api/v1/customers/99', { id: '1', plan: 'pro' });
    const fresh = await call('PUT', '/api/v1/customers/5', { id: '6' });

    expect([contradicting.status, fresh.status]).toEqual([200, 200]);
    expect([...emulator.people.keys()]).toEqual(['1']);
    expect(emulator.people.get('1')?.attributes).toEqual({ email: 'a@x.com' });
    expect(emulator.stats.droppedOperations).toBe(2);
  });

  it('drops an unknown cio_id instead of creating a person', async () => {
    const emulator = emulate();
    const answer = await call('PUT', '/api/v1/customers/cio_deadbeef', { plan: 'pro' });

    expect(answer.status).toBe(200);
    expect(emulator.people.size).toBe(0);
    expect(emulator.stats.droppedOperations).toBe(1);
  });

  it('with _update: true, updates an existing person but never creates one', async () => {
    const emulator = emulate();
    const missing = await call('PUT', '/api/v1/customers/42', { plan: 'pro', _update: true });

    expect(missing.status).toBe(200);
    expect(emulator.people.size).toBe(0);
    expect(emulator.stats.droppedOperations).toBe(1);

    await call('PUT', '/api/v1/customers/42', { plan: 'pro' });
    await call('PUT', '/api/v1/customers/42', { plan: 'max', _update: true });
    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'max' });
    expect(emulator.people.get('42')?.updates.at(-1)?.attributes).toEqual({ plan: 'max' });
  });
});

// Customer.io documents only that the timestamp "can be used to control the order of attribute updates when
// multiple requests are sent in rapid succession". The emulator's reading of that is person-level (see
// isOutOfOrder in src/emulator/state.ts): no per-attribute merging, no clock for untimed updates.
describe('Track v1: _timestamp ordering', () => {
  it('ignores an update older than the latest applied one as a whole, and still lists it', async () => {
    const clock = fakeClock();
    const emulator = emulate({ now: clock.now });
    await call('PUT', '/api/v1/customers/42', { plan: 'max', _timestamp: 1_700_000_200 });
    await call('PUT', '/api/v1/customers/42', { plan: 'pro', seats: 5, _timestamp: 1_700_000_100 });

    const person = emulator.people.get('42');
    // Not even the attribute it alone sets: the update is older than the person's state.
    expect(person?.attributes).toEqual({ plan: 'max' });
    expect(person?.updates).toEqual([
      { attributes: { plan: 'max' }, timestamp: 1_700_000_200, receivedAt: clock.now() },
      { attributes: { plan: 'pro', seats: 5 }, timestamp: 1_700_000_100, receivedAt: clock.now() },
    ]);
  });

  it('ignores the identifiers and removals of an older update too', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/42', { plan: 'max', _timestamp: 1_700_000_200 });
    await call('PUT', '/api/v1/customers/42', {
      email: 'ada@example.com',
      plan: '',
      _timestamp: 1_700_000_100,
    });

    expect(emulator.people.get('42')?.email).toBeUndefined();
    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'max' });
    expect(emulator.people.has('ada@example.com')).toBe(false);
  });

  it('applies a newer or equal _timestamp', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/42', { plan: 'pro', _timestamp: 1_700_000_100 });
    await call('PUT', '/api/v1/customers/42', { plan: 'max', _timestamp: 1_700_000_100 });
    await call('PUT', '/api/v1/customers/42', { plan: 'ent', _timestamp: 1_700_000_101 });

    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'ent' });
  });

  it('applies updates without _timestamp in arrival order, never stamping them', async () => {
    // Receipt time is later than every _timestamp below: it must not count as one.
    const clock = fakeClock(1_700_000_500_000);
    const emulator = emulate({ now: clock.now });
    await call('PUT', '/api/v1/customers/42', { plan: 'max' });
    await call('PUT', '/api/v1/customers/42', { plan: 'pro', _timestamp: 1_700_000_400 });
    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'pro' });

    await call('PUT', '/api/v1/customers/42', { plan: 'ent', _timestamp: 1_700_000_300 });
    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'pro' });

    await call('PUT', '/api/v1/customers/42', { plan: 'basic' });
    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'basic' });
  });
});

describe('Track v1: delete', () => {
  it('removes the person; a later identify creates a fresh profile', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/42', { plan: 'pro' });
    const answer = await call('DELETE', '/api/v1/customers/42');

    expect(answer).toMatchObject({ status: 200, json: {} });
    expect(emulator.people.has('42')).toBe(false);

    await call('PUT', '/api/v1/customers/42', { seats: 1 });
    expect(emulator.people.get('42')?.attributes).toEqual({ seats: 1 });
  });

  it('answers 200 for someone who does not exist', async () => {
    emulate();
    expect((await call('DELETE', '/api/v1/customers/nobody')).status).toBe(200);
  });
});

describe('Track v1: events', () => {
  it('stores a person event, trimming the name, and creates the person it names', async () => {
    const emulator = emulate();
    const answer = await call('POST', '/api/v1/customers/42/events', {
      name: '  subscription_started ',
      id: ulid(1),
      timestamp: 1_700_000_000,
      data: { plan: 'pro' },
    });

    expect(answer).toMatchObject({ status: 200, json: {} });
    expect(emulator.events).toEqual([
      {
        personId: '42',
        name: 'subscription_started',
        id: ulid(1),
        type: 'event',
        timestamp: 1_700_000_000,
        data: { plan: 'pro' },
        receivedAt: expect.any(Number),
      },
    ]);
    expect(emulator.people.has('42')).toBe(true);
  });

  it('keeps page and screen types and files anything else as event', async () => {
    const emulator = emulate();
    await call('POST', '/api/v1/customers/42/events', { name: '/pricing', type: 'page' });
    await call('POST', '/api/v1/customers/42/events', { name: 'Home', type: 'screen' });
    await call('POST', '/api/v1/customers/42/events', { name: 'odd', type: 'banana' });

    expect(emulator.events.map((event) => event.type)).toEqual(['page', 'screen', 'event']);
  });

  it('stores anonymous events and hands them to the person later identified with that anonymous_id', async () => {
    const emulator = emulate();
    const answer = await call('POST', '/api/v1/events', {
      name: 'paywall_viewed',
      anonymous_id: 'anon-1',
      data: { placement: 'onboarding' },
    });
    expect(answer.status).toBe(200);
    expect(emulator.events[0]).toMatchObject({
      anonymousId: 'anon-1',
      data: { placement: 'onboarding' },
    });
    expect(emulator.events[0]?.personId).toBeUndefined();

    await call('PUT', '/api/v1/customers/42', { anonymous_id: 'anon-1' });
    expect(emulator.events[0]?.personId).toBe('42');
  });

  it('drops events for a suppressed person', async () => {
    const emulator = emulate();
    await call('POST', '/api/v1/customers/42/suppress');
    await call('POST', '/api/v1/customers/42/events', { name: 'renewed' });

    expect(emulator.events).toEqual([]);
    expect(emulator.stats.droppedOperations).toBe(1);
  });
});

describe('Track v1: devices', () => {
  it('adds, updates and deletes a device', async () => {
    const clock = fakeClock();
    const emulator = emulate({ now: clock.now });
    await call('PUT', '/api/v1/customers/42/devices', {
      device: { id: 'tok-1', platform: 'ios', attributes: { app_version: '1.0' } },
    });
    expect(emulator.people.get('42')?.devices).toEqual([
      {
        token: 'tok-1',
        platform: 'ios',
        lastUsed: clock.seconds(),
        attributes: { app_version: '1.0' },
      },
    ]);

    await call('PUT', '/api/v1/customers/42/devices', {
      device: {
        id: 'tok-1',
        platform: 'ios',
        last_used: 1_700_000_000,
        attributes: { push_enabled: 'true' },
      },
    });
    expect(emulator.people.get('42')?.devices).toEqual([
      {
        token: 'tok-1',
        platform: 'ios',
        lastUsed: 1_700_000_000,
        attributes: { app_version: '1.0', push_enabled: 'true' },
      },
    ]);

    const answer = await call(
      'DELETE',
      `/api/v1/customers/42/devices/${encodeURIComponent('tok-1')}`,
    );
    expect(answer.status).toBe(200);
    expect(emulator.people.get('42')?.devices).toEqual([]);
  });

  it('rejects a device without id or with an unknown platform', async () => {
    emulate();
    const noDevice = await call('PUT', '/api/v1/customers/42/devices', {});
    const badPlatform = await call('PUT', '/api/v1/customers/42/devices', {
      device: { id: 'tok', platform: 'windows' },
    });

    expect(noDevice).toMatchObject({
      status: 400,
      json: { meta: { error: 'device must be present' } },
    });
    expect(badPlatform).toMatchObject({
      status: 400,
      json: { meta: { error: 'device platform must be one of ios, android' } },
    });
  });
});

describe('Track v1: suppress and unsuppress', () => {
  it('suppresses a person, blocks their identifiers, and unsuppress frees them without restoring anything', async () => {
    const emulator = emulate();
    await call('PUT', '/api/v1/customers/42', { plan: 'pro', email: 'a@x.com' });
    expect((await call('POST', '/api/v1/customers/42/suppress')).status).toBe(200);
    expect(emulator.people.get('42')?.suppressed).toBe(true);

    await call('PUT', `/api/v1/customers/${encodeURIComponent('a@x.com')}`, { plan: 'max' });
    expect(emulator.people.get('42')?.attributes.plan).toBe('pro');
    expect(emulator.stats.droppedOperations).toBe(1);

    expect((await call('POST', '/api/v1/customers/42/unsuppress')).status).toBe(200);
    expect(emulator.people.has('42')).toBe(false);

    await call('PUT', '/api/v1/customers/42', { seats: 1 });
    expect(emulator.people.get('42')).toMatchObject({
      suppressed: false,
      attributes: { seats: 1 },
    });
  });

  it('blocks an identifier that never had a profile', async () => {
    const emulator = emulate();
    await call('POST', '/api/v1/customers/ghost/suppress');
    await call('PUT', '/api/v1/customers/ghost', { plan: 'pro' });

    expect(emulator.people.get('ghost')).toMatchObject({ suppressed: true, attributes: {} });
  });
});

describe('Track v1: routing', () => {
  it.each([
    ['GET', '/api/v1/customers/42'],
    ['POST', '/api/v1/customers/42'],
    ['PUT', '/api/v1/nothing'],
    ['POST', '/api/v3/batch'],
    ['GET', '/'],
  ])('answers 404 to %s %s', async (method, path) => {
    emulate();
    expect((await call(method, path)).status).toBe(404);
  });

  it('answers 400 with meta.error to a body that is not JSON', async () => {
    emulate();
    const answer = await call('POST', '/api/v1/customers/42/events', '{not json');

    expect(answer).toMatchObject({
      status: 400,
      json: { meta: { error: 'request body must be valid JSON' } },
    });
  });
});

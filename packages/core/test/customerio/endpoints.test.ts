import { describe, expect, it } from 'vitest';
import { isUlid, type TrackV2Operation } from '../../src/customerio/index.js';
import { testClient, useEmulator } from './helpers.js';

/** Recorded requests as `METHOD path` lines. */
const lines = (requests: ReadonlyArray<{ method: string; path: string }>) =>
  requests.map((r) => `${r.method} ${r.path}`);

describe('Track v1 endpoints against the emulator', () => {
  const { emulator } = useEmulator();

  it('identify creates and updates a person with _timestamp and _update', async () => {
    const client = testClient();
    await client.identify(
      'user-1',
      { plan: 'monthly', email: 'ada@example.com' },
      { timestamp: 1_700_000_000 },
    );
    await client.identify('user-1', { plan: 'yearly' }, { timestamp: 1_700_000_100, update: true });
    // An older update sent late loses: _timestamp orders updates, not arrival.
    await client.identify('user-1', { plan: 'stale' }, { timestamp: 1_700_000_050 });
    const person = emulator.people.get('user-1');
    expect(person?.attributes).toMatchObject({ plan: 'yearly', email: 'ada@example.com' });
    expect(person?.updates.map((u) => u.timestamp)).toEqual([
      1_700_000_000, 1_700_000_100, 1_700_000_050,
    ]);
    expect(JSON.parse(emulator.requests[1]!.body)).toEqual({
      plan: 'yearly',
      _timestamp: 1_700_000_100,
      _update: true,
    });
  });

  it('percent-encodes identifiers in paths', async () => {
    const client = testClient();
    await client.identify('a+b@example.com', { plan: 'x' });
    await client.identify('id with/slash&amp', {});
    expect(lines(emulator.requests)).toEqual([
      'PUT /api/v1/customers/a%2Bb%40example.com',
      'PUT /api/v1/customers/id%20with%2Fslash%26amp',
    ]);
    expect(emulator.people.get('a+b@example.com')).toBeDefined();
    expect(emulator.people.get('id with/slash&amp')).toBeDefined();
  });

  it('addresses a person by cio_id as cio_<value> on v1', async () => {
    const client = testClient();
    await client.identify('user-1', { plan: 'a' });
    const cioId = emulator.people.get('user-1')!.cioId;
    await client.identify({ cio_id: cioId }, { plan: 'b' });
    await client.identify({ cio_id: `cio_${cioId}` }, { plan: 'c' });
    expect(emulator.requests.slice(1).map((r) => r.path)).toEqual([
      `/api/v1/customers/cio_${cioId}`,
      `/api/v1/customers/cio_${cioId}`,
    ]);
    expect(emulator.people.get('user-1')?.attributes.plan).toBe('c');
  });

  it('track, page and screen views carry a ULID id and arrive as events', async () => {
    const client = testClient();
    await client.identify('user-1', {});
    const a = await client.track('user-1', {
      name: 'subscription_started',
      data: { product: 'premium' },
      timestamp: 1_700_000_000,
    });
    const b = await client.trackPageView('user-1', 'https://example.com/pricing', {
      data: { ref: 'ad' },
    });
    const c = await client.trackScreenView('user-1', 'Paywall');
    for (const { id } of [a, b, c]) expect(isUlid(id)).toBe(true);
    expect(emulator.events.map((e) => [e.personId, e.type, e.name, e.id])).toEqual([
      ['user-1', 'event', 'subscription_started', a.id],
      ['user-1', 'page', 'https://example.com/pricing', b.id],
      ['user-1', 'screen', 'Paywall', c.id],
    ]);
    expect(emulator.events[0]).toMatchObject({
      timestamp: 1_700_000_000,
      data: { product: 'premium' },
    });
  });

  it('trackAnonymous sends anonymous_id to /api/v1/events', async () => {
    const client = testClient();
    const { id } = await client.trackAnonymous('anon-42', {
      name: 'paywall_viewed',
      data: { a: 1 },
    });
    expect(lines(emulator.requests)).toEqual(['POST /api/v1/events']);
    expect(emulator.events[0]).toMatchObject({
      anonymousId: 'anon-42',
      name: 'paywall_viewed',
      id,
    });
  });

  it('devices: add with attributes, then delete', async () => {
    const client = testClient();
    await client.identify('user-1', {});
    await client.addDevice('user-1', {
      token: 'tok/1',
      platform: 'ios',
      lastUsed: 1_700_000_000,
      attributes: { app_version: '2.0' },
    });
    expect(emulator.people.get('user-1')?.devices).toEqual([
      {
        token: 'tok/1',
        platform: 'ios',
        lastUsed: 1_700_000_000,
        attributes: { app_version: '2.0' },
      },
    ]);
    await client.deleteDevice('user-1', 'tok/1');
    expect(emulator.requests.at(-1)?.path).toBe('/api/v1/customers/user-1/devices/tok%2F1');
    expect(emulator.people.get('user-1')?.devices).toEqual([]);
  });

  it('suppress, unsuppress and delete', async () => {
    const client = testClient();
    await client.identify('user-1', { plan: 'x' });
    await client.suppress('user-1');
    expect(emulator.people.get('user-1')?.suppressed).toBe(true);
    await client.unsuppress('user-1');
    await client.identify('user-2', {});
    await client.deleteCustomer('user-2');
    expect(emulator.people.get('user-2')).toBeUndefined();
    expect(lines(emulator.requests)).toEqual([
      'PUT /api/v1/customers/user-1',
      'POST /api/v1/customers/user-1/suppress',
      'POST /api/v1/customers/user-1/unsuppress',
      'PUT /api/v1/customers/user-2',
      'DELETE /api/v1/customers/user-2',
    ]);
  });

  it('mergeCustomers sends exactly one identifier per side, cio_id unprefixed', async () => {
    const client = testClient();
    await client.identify('primary', { a: 1 });
    await client.identify('secondary', { b: 2 });
    const cioId = emulator.people.get('secondary')!.cioId;
    await client.mergeCustomers({ id: 'primary' }, { cio_id: `cio_${cioId}` });
    expect(JSON.parse(emulator.requests.at(-1)!.body)).toEqual({
      primary: { id: 'primary' },
      secondary: { cio_id: cioId },
    });
    expect(emulator.people.get('primary')?.attributes).toMatchObject({ a: 1, b: 2 });
    expect(emulator.people.get('secondary')).toBeUndefined();
    expect(emulator.stats.droppedOperations).toBe(0);
  });

  it('getRegion answers for the credentials', async () => {
    expect(await testClient().getRegion()).toEqual({
      region: 'us',
      url: 'https://track.customer.io',
      environmentId: 1,
    });
  });
});

describe('Track v2 endpoints against the emulator', () => {
  const { emulator } = useEmulator();

  it('entity runs each kind of person operation', async () => {
    const client = testClient();
    const ops: TrackV2Operation[] = [
      {
        type: 'person',
        action: 'identify',
        identifiers: { id: 'u1' },
        attributes: { plan: 'pro' },
        timestamp: 1_700_000_000,
      },
      {
        type: 'person',
        action: 'event',
        identifiers: { id: 'u1' },
        name: 'renewed',
        attributes: { n: 2 },
      },
      { type: 'person', action: 'page', identifiers: { id: 'u1' }, name: '/home' },
      { type: 'person', action: 'screen', identifiers: { id: 'u1' }, name: 'Paywall' },
      {
        type: 'person',
        action: 'add_device',
        identifiers: { id: 'u1' },
        device: { token: 't1', platform: 'android' },
      },
      {
        type: 'person',
        action: 'delete_device',
        identifiers: { id: 'u1' },
        device: { token: 't1' },
      },
      { type: 'person', action: 'identify', identifiers: { id: 'u2' } },
      { type: 'person', action: 'merge', primary: { id: 'u1' }, secondary: { id: 'u2' } },
      { type: 'person', action: 'identify', identifiers: { id: 'u4' } },
      { type: 'person', action: 'suppress', identifiers: { id: 'u4' } },
      { type: 'person', action: 'unsuppress', identifiers: { id: 'u4' } },
      { type: 'person', action: 'identify', identifiers: { id: 'u3' } },
      { type: 'person', action: 'delete', identifiers: { id: 'u3' } },
    ];
    const ids: Array<string | undefined> = [];
    for (const op of ops) ids.push((await client.entity(op)).id);
    expect(emulator.requests.every((r) => r.path === '/api/v2/entity' && r.status === 200)).toBe(
      true,
    );
    expect(emulator.events.map((e) => [e.type, e.name, e.id])).toEqual([
      ['event', 'renewed', ids[1]],
      ['page', '/home', ids[2]],
      ['screen', 'Paywall', ids[3]],
    ]);
    expect(emulator.people.get('u1')?.attributes).toMatchObject({ plan: 'pro' });
    expect(emulator.people.get('u2')).toBeUndefined(); // merged into u1
    expect(emulator.people.get('u3')).toBeUndefined(); // deleted
    expect(emulator.people.get('u4')).toBeUndefined(); // suppressed, then freed
    expect(emulator.stats.droppedOperations).toBe(0);
  });

  it('entity strips the cio_ prefix from identifiers', async () => {
    const client = testClient();
    await client.identify('u1', {});
    const cioId = emulator.people.get('u1')!.cioId;
    await client.entity({
      type: 'person',
      action: 'identify',
      identifiers: { cio_id: `cio_${cioId}` },
      attributes: { plan: 'x' },
    });
    expect(JSON.parse(emulator.requests.at(-1)!.body).identifiers).toEqual({ cio_id: cioId });
    expect(emulator.people.get('u1')?.attributes.plan).toBe('x');
  });

  it('batch sends operations in one request when they fit', async () => {
    const client = testClient();
    const result = await client.batch([
      { type: 'person', action: 'identify', identifiers: { id: 'u1' }, attributes: { a: 1 } },
      { type: 'person', action: 'event', identifiers: { id: 'u1' }, name: 'e1' },
    ]);
    expect(result).toEqual({ requests: 1, failures: [], unattributed: [] });
    expect(emulator.events.map((e) => e.name)).toEqual(['e1']);
    expect(await client.batch([])).toEqual({ requests: 0, failures: [], unattributed: [] });
    expect(emulator.requests).toHaveLength(1);
  });
});

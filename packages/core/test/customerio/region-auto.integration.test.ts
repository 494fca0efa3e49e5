import { describe, expect, it } from 'vitest';
import { CustomerIoHttpError } from '../../src/customerio/index.js';
import { rejectionOf, testClient, useEmulator } from './helpers.js';

const lookups = (requests: ReadonlyArray<{ path: string }>) =>
  requests.filter((r) => r.path === '/api/v1/accounts/region').length;

describe("region: 'auto'", () => {
  const { emulator } = useEmulator();

  it('resolves the region once for concurrent first calls, then goes straight to it', async () => {
    const client = testClient({ siteId: 'eu-site', apiKey: 'eu-key', region: 'auto' });
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.track(`user-${i}`, { name: 'purchase' })),
    );
    await client.identify('user-0', { plan: 'pro' });
    expect(lookups(emulator.requests)).toBe(1);
    const rest = emulator.requests.filter((r) => r.path !== '/api/v1/accounts/region');
    expect(rest).toHaveLength(6);
    expect(rest.every((r) => r.host === 'track-eu.customer.io' && r.status === 200)).toBe(true);
    expect(emulator.workspace('eu-site').events).toHaveLength(5);
  });

  it('uses the US host for a US workspace', async () => {
    const client = testClient({ region: 'auto' });
    await client.identify('u', {});
    expect(emulator.requests.map((r) => [r.path, r.host])).toEqual([
      ['/api/v1/accounts/region', 'track.customer.io'],
      ['/api/v1/customers/u', 'track.customer.io'],
    ]);
  });

  it('does not cache a failed lookup', async () => {
    const client = testClient({
      siteId: 'eu-site',
      apiKey: 'eu-key',
      region: 'auto',
      retry: false,
    });
    emulator.faults.next({ match: { path: '/api/v1/accounts/region' } }, { status: 503 });
    const results = await Promise.allSettled([
      client.track('u', { name: 'a' }),
      client.track('u', { name: 'b' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(lookups(emulator.requests)).toBe(1); // both shared the one failed lookup
    await client.track('u', { name: 'c' });
    expect(lookups(emulator.requests)).toBe(2);
    expect(emulator.workspace('eu-site').events.map((e) => e.name)).toEqual(['c']);
  });

  it('getRegion returns the workspace region and seeds the cache', async () => {
    const client = testClient({ siteId: 'eu-site', apiKey: 'eu-key', region: 'auto' });
    expect(await client.getRegion()).toEqual({
      region: 'eu',
      url: 'https://track-eu.customer.io',
      environmentId: 77,
    });
    await client.identify('u', {});
    expect(lookups(emulator.requests)).toBe(1);
  });

  it('getRegion doubles as a credentials check', async () => {
    const error = await rejectionOf(testClient({ apiKey: 'nope', region: 'auto' }).getRegion());
    expect(error).toBeInstanceOf(CustomerIoHttpError);
    expect((error as CustomerIoHttpError).status).toBe(401);
  });

  it('an explicit baseUrl wins over auto: no lookup', async () => {
    const client = testClient({ region: 'auto', baseUrl: 'https://track.customer.io/' });
    await client.identify('u', {});
    expect(lookups(emulator.requests)).toBe(0);
  });
});

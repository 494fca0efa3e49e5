import { createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CustomerIoNetworkError,
  CustomerIoRegionError,
  createCustomerIoClient,
} from '../../src/customerio/index.js';

describe('without msw: an injected fetch', () => {
  it('runs identify, track and batch through emulator.fetch', async () => {
    const emulator = createCustomerIoEmulator();
    const client = createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      fetch: (input, init) => emulator.fetch(input, init),
    });
    await client.identify('u', { plan: 'pro' });
    const { id } = await client.track('u', { name: 'purchase' });
    await client.batch([{ type: 'person', action: 'event', identifiers: { id: 'u' }, name: 'b' }]);
    expect(emulator.people.get('u')?.attributes).toEqual({ plan: 'pro' });
    expect(emulator.events.map((e) => [e.name, e.id === id])).toEqual([
      ['purchase', true],
      ['b', false],
    ]);
  });

  it("sends redirect: 'manual', so the EU redirect keeps the POST and its body", async () => {
    const emulator = createCustomerIoEmulator({
      workspaces: [{ siteId: 'eu-site', apiKey: 'eu-key', region: 'eu' }],
    });
    const modes: string[] = [];
    const client = createCustomerIoClient({
      siteId: 'eu-site',
      apiKey: 'eu-key',
      region: 'us',
      rateLimit: false,
      fetch: (input, init) => {
        modes.push(input instanceof Request ? input.redirect : String(init?.redirect));
        return emulator.fetch(input, init);
      },
    });
    await client.track('u', { name: 'purchase', data: { a: 1 } });
    expect(modes).toEqual(['manual', 'manual']);
    expect(emulator.requests.map((r) => [r.method, r.host, r.status])).toEqual([
      ['POST', 'track.customer.io', 301],
      ['POST', 'track-eu.customer.io', 200],
    ]);
    expect(emulator.events[0]?.data).toEqual({ a: 1 });
  });

  it('wraps a hand-written fake that throws as a network error', async () => {
    const client = createCustomerIoClient({
      siteId: 's',
      apiKey: 'k-123456789',
      region: 'eu',
      retry: false,
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    const error = await client.deleteCustomer('u').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CustomerIoNetworkError);
    expect((error as Error).message).toBe(
      'network error on DELETE /api/v1/customers/u: fetch failed',
    );
  });
});

describe('over real HTTP: the loopback emulator', () => {
  const emulator = createCustomerIoEmulator();
  let us: { url: string; close(): Promise<void> };
  let eu: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    us = await emulator.listen({ region: 'us' });
    eu = await emulator.listen({ region: 'eu' });
  });
  afterAll(async () => {
    await us.close();
    await eu.close();
  });

  it('works with Node fetch and a baseUrl', async () => {
    const client = createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'eu', // baseUrl wins
      baseUrl: `${us.url}/`,
    });
    await client.identify('loop', { via: 'http' });
    const { id } = await client.track('loop', { name: 'over-the-wire' });
    expect(emulator.people.get('loop')?.attributes).toEqual({ via: 'http' });
    expect(emulator.events.at(-1)?.id).toBe(id);
  });

  it('gets the real 3xx from Node fetch and refuses a hop to another origin', async () => {
    const twoWorkspaces = createCustomerIoEmulator({
      workspaces: [{ siteId: 'eu-site', apiKey: 'eu-key', region: 'eu' }],
    });
    const usServer = await twoWorkspaces.listen({ region: 'us' });
    const euServer = await twoWorkspaces.listen({ region: 'eu' });
    try {
      const client = createCustomerIoClient({
        siteId: 'eu-site',
        apiKey: 'eu-key',
        region: 'us',
        baseUrl: usServer.url,
        retry: false,
      });
      const error = await client.track('u', { name: 'e' }).catch((e: unknown) => e);
      // The emulator redirects to the EU loopback server: a different origin, not customer.io.
      expect(error).toBeInstanceOf(CustomerIoRegionError);
      expect((error as CustomerIoRegionError).status).toBe(301);
      expect(twoWorkspaces.requests.map((r) => r.status)).toEqual([301]);
    } finally {
      await usServer.close();
      await euServer.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { createCustomerIoEmulator } from '../src/index.js';
import { basicAuth, call, EU, US } from './helpers.js';

const twoRegions = () =>
  createCustomerIoEmulator({
    workspaces: [
      { siteId: 'us-site', apiKey: 'us-key', region: 'us' },
      { siteId: 'eu-site', apiKey: 'eu-key', region: 'eu' },
    ],
  });

describe('emulator.fetch', () => {
  it('is a detached fetch function that accepts a URL and init or a Request', async () => {
    const emulator = createCustomerIoEmulator();
    const { fetch: emulatedFetch } = emulator;

    await call('PUT', '/api/v1/customers/1', { plan: 'pro' }, { fetch: emulatedFetch });
    const response = await emulatedFetch(
      new Request(`${US}/api/v1/customers/2`, {
        method: 'PUT',
        headers: { authorization: basicAuth() },
        body: '{}',
      }),
    );

    expect(response.status).toBe(200);
    expect([...emulator.people.keys()]).toEqual(['1', '2']);
  });

  it("rejects a dropped connection like undici: TypeError('fetch failed') with a coded cause", async () => {
    const emulator = createCustomerIoEmulator();
    emulator.faults.next('drop');

    const error = await emulator
      .fetch(`${US}/api/v1/accounts/region`)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(((error as TypeError).cause as { code?: string }).code).toBe('UND_ERR_SOCKET');
  });

  it('rejects with the abort reason when the caller gives up on a hang', async () => {
    const emulator = createCustomerIoEmulator();
    emulator.faults.next({ hangMs: 5_000 });

    const error = await emulator
      .fetch(`${US}/api/v1/accounts/region`, { signal: AbortSignal.timeout(30) })
      .catch((caught: unknown) => caught);

    expect((error as DOMException).name).toBe('TimeoutError');
    expect(emulator.requests[0]?.status).toBe(0);
  });

  it('returns the 301 untouched with redirect: manual', async () => {
    const emulator = twoRegions();
    const answer = await call(
      'PUT',
      '/api/v1/customers/1',
      {},
      {
        auth: basicAuth('eu-site', 'eu-key'),
        redirect: 'manual',
        fetch: emulator.fetch,
      },
    );

    expect(answer.status).toBe(301);
    expect(answer.headers.get('location')).toBe(`${EU}/api/v1/customers/1`);
  });

  it('follows like fetch does: the cross-origin hop drops Authorization, so the call lands on a 401', async () => {
    const emulator = twoRegions();
    const answer = await call(
      'PUT',
      '/api/v1/customers/1',
      { plan: 'pro' },
      {
        auth: basicAuth('eu-site', 'eu-key'),
        fetch: emulator.fetch,
      },
    );

    expect(answer.status).toBe(401);
    expect(
      emulator.requests.map((request) => [request.method, request.host, request.status]),
    ).toEqual([
      ['PUT', 'track.customer.io', 301],
      ['PUT', 'track-eu.customer.io', 401],
    ]);
    expect(emulator.requests[1]?.headers.authorization).toBeUndefined();
  });

  it('turns a redirected POST into a bodiless GET, as fetch does on 301', async () => {
    const emulator = twoRegions();
    await call(
      'POST',
      '/api/v1/events',
      { name: 'x' },
      { auth: basicAuth('eu-site', 'eu-key'), fetch: emulator.fetch },
    );

    expect(emulator.requests[1]).toMatchObject({ method: 'GET', body: '' });
  });

  it("rejects a redirect with redirect: 'error'", async () => {
    const emulator = twoRegions();
    await expect(
      call(
        'PUT',
        '/api/v1/customers/1',
        {},
        { auth: basicAuth('eu-site', 'eu-key'), redirect: 'error', fetch: emulator.fetch },
      ),
    ).rejects.toThrow(TypeError);
  });

  it('treats unknown hosts as the US region', async () => {
    const emulator = createCustomerIoEmulator();
    const answer = await call(
      'PUT',
      '/api/v1/customers/1',
      {},
      { base: 'https://proxy.example', fetch: emulator.fetch },
    );

    expect(answer.status).toBe(200);
    expect(emulator.requests[0]?.host).toBe('track.customer.io');
  });
});

import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCustomerIoEmulator, type LoopbackServer } from '../src/index.js';
import { basicAuth, call, US } from './helpers.js';

const emulator = createCustomerIoEmulator({
  workspaces: [
    { siteId: 'us-site', apiKey: 'us-key', region: 'us' },
    { siteId: 'eu-site', apiKey: 'eu-key', region: 'eu' },
  ],
});
const usAuth = basicAuth('us-site', 'us-key');
const euAuth = basicAuth('eu-site', 'eu-key');

// The same emulator behind msw, with loopback traffic passed through to the real sockets.
const msw = setupServer(...emulator.handlers);
let server: LoopbackServer;

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: 'bypass' });
  server = await emulator.listen();
});
afterEach(() => emulator.reset());
afterAll(async () => {
  await server.close();
  msw.close();
});

describe('loopback server', () => {
  it('listens on 127.0.0.1 on a free port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.region).toBe('us');
  });

  it.each([
    ['an identify', 'PUT', '/api/v1/customers/42', { plan: 'pro' }, usAuth],
    ['a missing credential', 'PUT', '/api/v1/customers/42', { plan: 'pro' }, null],
    ['a limit breach', 'PUT', '/api/v1/customers/42', { bio: 'x'.repeat(1001) }, usAuth],
    [
      'a 207 batch',
      'POST',
      '/api/v2/batch',
      { batch: [{ type: 'person', action: 'delete' }] },
      usAuth,
    ],
    ['an unknown path', 'GET', '/nope', undefined, usAuth],
    ['the region lookup', 'GET', '/api/v1/accounts/region', undefined, euAuth],
  ])('answers %s exactly as msw does', async (_case, method, path, body, auth) => {
    const viaMsw = await call(method, path, body, { base: US, auth });
    const viaLoopback = await call(method, path, body, { base: server.url, auth });

    expect(viaLoopback.status).toBe(viaMsw.status);
    expect(viaLoopback.contentType).toBe(viaMsw.contentType);
    expect(viaLoopback.text).toBe(viaMsw.text);
  });

  it('shares state with the other doors', async () => {
    await call('PUT', '/api/v1/customers/42', { plan: 'pro' }, { base: server.url, auth: usAuth });
    await call('PUT', '/api/v1/customers/42', { seats: 2 }, { base: US, auth: usAuth });
    await emulator.fetch(`${server.url}/api/v1/customers/42`, {
      method: 'PUT',
      headers: { authorization: usAuth },
      body: JSON.stringify({ locale: 'fr' }),
    });

    expect(emulator.workspace('us-site').people.get('42')?.attributes).toEqual({
      plan: 'pro',
      seats: 2,
      locale: 'fr',
    });
    expect(emulator.requests.map((request) => request.host)).toEqual([
      'track.customer.io',
      'track.customer.io',
      'track.customer.io',
    ]);
  });

  it('routes to the EU region with an x-emulated-host header', async () => {
    const answer = await call(
      'PUT',
      '/api/v1/customers/7',
      { plan: 'pro' },
      {
        base: server.url,
        auth: euAuth,
        headers: { 'x-emulated-host': 'track-eu.customer.io' },
      },
    );

    expect(answer.status).toBe(200);
    expect(emulator.workspace('eu-site').people.has('7')).toBe(true);
    expect(emulator.requests[0]?.host).toBe('track-eu.customer.io');
  });

  it('redirects an EU workspace to an EU loopback server when one is listening', async () => {
    const redirect = await call(
      'PUT',
      '/api/v1/customers/7',
      {},
      { base: server.url, auth: euAuth, redirect: 'manual' },
    );
    expect(redirect.headers.get('location')).toBe(
      'https://track-eu.customer.io/api/v1/customers/7',
    );

    await using euServer = await emulator.listen({ region: 'eu' });
    const again = await call(
      'PUT',
      '/api/v1/customers/7',
      {},
      { base: server.url, auth: euAuth, redirect: 'manual' },
    );
    expect(again.headers.get('location')).toBe(`${euServer.url}/api/v1/customers/7`);
    const followed = await call(
      'PUT',
      '',
      { plan: 'pro' },
      { base: again.headers.get('location') ?? '', auth: euAuth },
    );
    expect(followed.status).toBe(200);
    expect(emulator.workspace('eu-site').people.get('7')?.attributes).toEqual({ plan: 'pro' });
  });

  it('destroys the socket for a dropped connection', async () => {
    emulator.faults.next('drop');

    await expect(
      call('PUT', '/api/v1/customers/1', {}, { base: server.url, auth: usAuth }),
    ).rejects.toThrow(TypeError);
    expect(emulator.requests[0]?.status).toBe(0);
  });

  it('does not answer a hung request before the client gives up', async () => {
    emulator.faults.next({ hangMs: 5_000 });

    const outcome = await fetch(`${server.url}/api/v1/customers/1`, {
      method: 'PUT',
      headers: { authorization: usAuth },
      body: '{}',
      signal: AbortSignal.timeout(100),
    }).catch((error: unknown) => error);

    expect((outcome as Error).name).toBe('TimeoutError');
  });

  it('closes cleanly, even with a request hanging, and refuses connections afterwards', async () => {
    const extra = await emulator.listen();
    emulator.faults.next({ hangMs: 30_000 });
    const hanging = fetch(`${extra.url}/api/v1/customers/1`, {
      method: 'PUT',
      headers: { authorization: usAuth },
      body: '{}',
    }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();

    await extra.close();
    await extra.close();

    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await hanging).toBeInstanceOf(TypeError);
    await expect(fetch(`${extra.url}/api/v1/accounts/region`)).rejects.toThrow(TypeError);
  });
});

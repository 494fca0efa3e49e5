import { describe, expect, it } from 'vitest';
import { basicAuth, call, EU, setupMsw, US } from './helpers.js';

const emulate = setupMsw();

const twoRegions = () =>
  emulate({
    workspaces: [
      { siteId: 'us-site', apiKey: 'us-key', region: 'us', environmentId: 11 },
      { siteId: 'eu-site', apiKey: 'eu-key', region: 'eu', environmentId: 22 },
    ],
  });

describe('authentication', () => {
  it.each([
    ['no Authorization header', null],
    ['a wrong key', basicAuth('test-site', 'wrong')],
    ['an unknown site', basicAuth('other-site', 'test-key')],
    ['a Bearer token', 'Bearer test-key'],
    ['malformed base64', 'Basic %%%'],
  ])('answers 401 in plain text for %s', async (_case, auth) => {
    const emulator = emulate();
    const answer = await call('PUT', '/api/v1/customers/42', { plan: 'pro' }, { auth });

    expect(answer.status).toBe(401);
    expect(answer.contentType).toMatch(/^text\/plain/);
    expect(answer.text).toBe('Unauthorized request');
    expect(emulator.people.size).toBe(0);
  });

  it('accepts credentials whose key is non-ASCII, encoded as UTF-8 bytes', async () => {
    const emulator = emulate({
      workspaces: [{ siteId: 'site', apiKey: 'clé:secrète', region: 'us' }],
    });
    const answer = await call(
      'PUT',
      '/api/v1/customers/42',
      {},
      { auth: basicAuth('site', 'clé:secrète') },
    );

    expect(answer.status).toBe(200);
    expect(emulator.people.has('42')).toBe(true);
  });
});

describe('regions', () => {
  it('redirects an EU workspace calling the US host with 301 to the same path on the EU host', async () => {
    const emulator = twoRegions();
    const answer = await call(
      'PUT',
      '/api/v1/customers/a%40b.com?x=1',
      { plan: 'pro' },
      { auth: basicAuth('eu-site', 'eu-key'), redirect: 'manual' },
    );

    expect(answer.status).toBe(301);
    expect(answer.headers.get('location')).toBe(`${EU}/api/v1/customers/a%40b.com?x=1`);
    expect(emulator.workspace('eu-site').people.size).toBe(0);
  });

  it('applies the call when a client re-sends method and body to the Location', async () => {
    const emulator = twoRegions();
    const auth = basicAuth('eu-site', 'eu-key');
    const first = await call(
      'PUT',
      '/api/v1/customers/7',
      { plan: 'pro' },
      { auth, redirect: 'manual' },
    );
    const location = first.headers.get('location') ?? '';
    const second = await call(
      'PUT',
      '',
      { plan: 'pro' },
      { auth, base: location, redirect: 'manual' },
    );

    expect(second.status).toBe(200);
    expect(emulator.workspace('eu-site').people.get('7')?.attributes).toEqual({ plan: 'pro' });
  });

  it('never lands the call when fetch follows the redirect itself', async () => {
    const emulator = twoRegions();
    // Real fetch drops Authorization on the cross-origin hop (401); msw's fetch interceptor
    // refuses to replay a body (network error). Either way, nothing reaches the EU workspace.
    const outcome = await call(
      'PUT',
      '/api/v1/customers/7',
      { plan: 'pro' },
      {
        auth: basicAuth('eu-site', 'eu-key'),
      },
    ).then(
      (answer) => answer.status,
      (error: unknown) => error,
    );

    expect(outcome === 401 || outcome instanceof TypeError).toBe(true);
    expect(emulator.workspace('eu-site').people.size).toBe(0);
  });

  it('answers 401 in plain text to a US workspace calling the EU host', async () => {
    twoRegions();
    const answer = await call(
      'PUT',
      '/api/v1/customers/7',
      {},
      { base: EU, auth: basicAuth('us-site', 'us-key') },
    );

    expect(answer.status).toBe(401);
    expect(answer.text).toBe('Unauthorized request');
  });

  it.each([
    [US, 'eu-site', 'eu-key', { url: EU, region: 'eu', environment_id: 22 }],
    [EU, 'eu-site', 'eu-key', { url: EU, region: 'eu', environment_id: 22 }],
    [US, 'us-site', 'us-key', { url: US, region: 'us', environment_id: 11 }],
    [EU, 'us-site', 'us-key', { url: US, region: 'us', environment_id: 11 }],
  ])('answers the region lookup on %s for %s', async (base, siteId, apiKey, expected) => {
    twoRegions();
    const answer = await call('GET', '/api/v1/accounts/region', undefined, {
      base,
      auth: basicAuth(siteId, apiKey),
    });

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(expected);
  });

  it('numbers environments by position when no environmentId is given', async () => {
    emulate();
    const answer = await call('GET', '/api/v1/accounts/region');

    expect(answer.json).toEqual({ url: US, region: 'us', environment_id: 1 });
  });

  it('checks credentials on the region lookup too', async () => {
    emulate();
    const answer = await call('GET', '/api/v1/accounts/region', undefined, {
      auth: basicAuth('x', 'y'),
    });

    expect(answer.status).toBe(401);
  });
});

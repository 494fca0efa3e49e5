import { describe, expect, it } from 'vitest';
import { basicAuth, call, EU, setupMsw } from './helpers.js';

const emulate = setupMsw();

describe('request recorder', () => {
  it('records every request in arrival order with lower-cased headers, body and status', async () => {
    const emulator = emulate();
    await call(
      'PUT',
      '/api/v1/customers/a%40b.com?source=test',
      { plan: 'pro' },
      { headers: { 'X-Trace': 't-1' } },
    );
    await call('GET', '/api/v1/accounts/region', undefined, {
      base: EU,
      auth: basicAuth('x', 'y'),
    });

    expect(emulator.requests).toEqual([
      {
        method: 'PUT',
        url: 'https://track.customer.io/api/v1/customers/a%40b.com?source=test',
        host: 'track.customer.io',
        path: '/api/v1/customers/a%40b.com?source=test',
        headers: expect.objectContaining({
          authorization: '[redacted]',
          'content-type': 'application/json',
          'x-trace': 't-1',
        }),
        body: '{"plan":"pro"}',
        status: 200,
        siteId: 'test-site',
      },
      expect.objectContaining({
        method: 'GET',
        host: 'track-eu.customer.io',
        status: 401,
        body: '',
      }),
    ]);
    expect(emulator.stats.requests).toBe(2);
  });

  it('never stores credentials in clear', async () => {
    const emulator = emulate({
      workspaces: [{ siteId: 'site', apiKey: 'sk_live_secret', region: 'us' }],
    });
    const auth = basicAuth('site', 'sk_live_secret');
    await call(
      'PUT',
      '/api/v1/customers/1',
      {},
      { auth, headers: { 'proxy-authorization': auth } },
    );

    const serialized = JSON.stringify(emulator.requests);
    expect(serialized).not.toContain(auth.slice('Basic '.length));
    expect(serialized).not.toContain('sk_live_secret');
    expect(emulator.requests[0]?.headers['proxy-authorization']).toBe('[redacted]');
  });
});

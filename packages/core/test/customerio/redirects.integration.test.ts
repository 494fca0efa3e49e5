import { HttpResponse, http } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import {
  CustomerIoHttpError,
  CustomerIoRegionError,
  createCustomerIoClient,
} from '../../src/customerio/index.js';
import { rejectionOf, retryLogger, type SleepLog, testClient, useEmulator } from './helpers.js';

const euClient = (overrides = {}) =>
  testClient({ siteId: 'eu-site', apiKey: 'eu-key', region: 'us', ...overrides });

describe('redirects', () => {
  const { emulator, server } = useEmulator();

  it('follows the EU redirect for an EU workspace on the US host, keeping method and body', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const client = euClient({ logger });
    const { id } = await client.track('user-1', { name: 'purchase', data: { plan: 'pro' } });
    await client.identify('user-1', { plan: 'pro' });

    const [first, second, third, fourth] = emulator.requests;
    expect([first?.host, first?.method, first?.status]).toEqual(['track.customer.io', 'POST', 301]);
    expect([second?.host, second?.method, second?.status]).toEqual([
      'track-eu.customer.io',
      'POST',
      200,
    ]);
    expect(second?.path).toBe(first?.path);
    expect(second?.body).toBe(first?.body); // not turned into a body-less GET
    expect([third?.method, third?.status, fourth?.method, fourth?.status]).toEqual([
      'PUT',
      301,
      'PUT',
      200,
    ]);
    const eu = emulator.workspace('eu-site');
    expect(eu.events.map((e) => [e.name, e.id, e.data])).toEqual([
      ['purchase', id, { plan: 'pro' }],
    ]);
    expect(eu.people.get('user-1')?.attributes).toEqual({ plan: 'pro' });

    // Warned once, naming the setting that avoids the US hop.
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[1]).toContain(
      "this workspace is in the EU region: set region: 'eu' (or 'auto')",
    );
  });

  it('sends an EU workspace straight to the EU host with region: eu', async () => {
    await euClient({ region: 'eu' }).track('user-1', { name: 'purchase' });
    expect(emulator.requests.map((r) => [r.host, r.status])).toEqual([
      ['track-eu.customer.io', 200],
    ]);
  });

  it('explains the 401 a US workspace gets on the EU host', async () => {
    const error = (await rejectionOf(
      testClient({ region: 'eu' }).identify('u', {}),
    )) as CustomerIoHttpError;
    expect(error).toBeInstanceOf(CustomerIoHttpError);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/US workspace called on the EU host.*region: 'auto'/);
  });

  it.each([302, 307, 308])(
    'follows a %i to another customer.io host the same way',
    async (status) => {
      server.use(
        http.post(
          'https://track.customer.io/api/v1/customers/:id/events',
          () =>
            new HttpResponse(null, {
              status,
              headers: { location: 'https://track-eu.customer.io/api/v1/customers/u/events' },
            }),
        ),
      );
      await euClient().track('u', { name: 'e' });
      expect(emulator.requests.map((r) => [r.host, r.method])).toEqual([
        ['track-eu.customer.io', 'POST'],
      ]);
    },
  );

  it('refuses to follow a redirect off customer.io (and sends nothing there)', async () => {
    const stolen = vi.fn(() => HttpResponse.json({}));
    server.use(
      http.post(
        'https://track.customer.io/api/v1/customers/:id/events',
        () =>
          new HttpResponse(null, {
            status: 302,
            headers: { location: 'https://evil.example/collect' },
          }),
      ),
      http.all('https://evil.example/*', stolen),
    );
    const error = await rejectionOf(testClient().track('u', { name: 'e' }));
    expect(error).toBeInstanceOf(CustomerIoRegionError);
    expect((error as CustomerIoRegionError).location).toBe('https://evil.example');
    expect((error as Error).message).toMatch(
      /not an https \*\.customer\.io host; refusing to follow/,
    );
    expect(stolen).not.toHaveBeenCalled();
  });

  it('refuses a downgrade to http even on customer.io', async () => {
    server.use(
      http.put(
        'https://track.customer.io/api/v1/customers/:id',
        () =>
          new HttpResponse(null, {
            status: 301,
            headers: { location: 'http://track-eu.customer.io/x' },
          }),
      ),
    );
    await expect(testClient().identify('u', {})).rejects.toBeInstanceOf(CustomerIoRegionError);
  });

  it('stops after 3 redirects', async () => {
    let hits = 0;
    server.use(
      http.put('https://track.customer.io/api/v1/customers/:id', ({ request }) => {
        hits++;
        return new HttpResponse(null, { status: 307, headers: { location: request.url } });
      }),
    );
    const error = await rejectionOf(testClient().identify('u', {}));
    expect(error).toBeInstanceOf(CustomerIoRegionError);
    expect((error as Error).message).toMatch(/after 3 redirects already \(limit 3\)/);
    expect(hits).toBe(4); // the request and three followed hops; the fourth redirect is refused
  });

  it('does not retry a region error', async () => {
    const log: SleepLog = { sleeps: [] };
    server.use(
      http.put(
        'https://track.customer.io/api/v1/customers/:id',
        () => new HttpResponse(null, { status: 301 }),
      ),
    );
    const client = createCustomerIoClient({
      siteId: 'test-site',
      apiKey: 'test-key',
      region: 'us',
      rateLimit: false,
      logger: retryLogger(log),
    });
    await expect(client.identify('u', {})).rejects.toThrow(/without a Location header/);
    expect(log.sleeps).toEqual([]);
  });
});

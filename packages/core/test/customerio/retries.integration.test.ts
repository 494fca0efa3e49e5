import { createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  CustomerIoHttpError,
  CustomerIoNetworkError,
  CustomerIoTimeoutError,
  isCustomerIoHttpError,
} from '../../src/customerio/index.js';
import { onFakeClock, rejectionOf, type SleepLog, testClient, useEmulator } from './helpers.js';

describe('retries against the emulator', () => {
  const { emulator } = useEmulator();

  it.each([500, 502, 503, 504, 522, 524, 408, 429])(
    'retries %i and the event arrives once',
    async (status) => {
      const log: SleepLog = { sleeps: [] };
      const client = testClient({}, log);
      emulator.faults.next({ status }, { status });
      const attempts = () => emulator.requests.length;
      const { id } = await onFakeClock(
        log,
        () => client.track('user-1', { name: 'purchase' }),
        attempts,
      );
      expect(emulator.requests.map((r) => r.status)).toEqual([status, status, 200]);
      // Every attempt re-sent the same bytes, event id included.
      expect(new Set(emulator.requests.map((r) => r.body)).size).toBe(1);
      expect(emulator.events.map((e) => e.id)).toEqual([id]);
      // Full jitter with random() = 0.5: 0.5 * 200, 0.5 * 400.
      expect(log.sleeps).toEqual([100, 200]);
    },
  );

  it('retries a whole status sequence in order', async () => {
    const client = testClient({ retry: { limit: 8, random: () => 0 } });
    const statuses = [500, 502, 503, 504, 522, 524, 408, 429];
    emulator.faults.next(...statuses.map((status) => ({ status })));
    await client.identify('user-1', { plan: 'pro' });
    expect(emulator.requests.map((r) => r.status)).toEqual([...statuses, 200]);
    expect(emulator.people.get('user-1')?.attributes.plan).toBe('pro');
  });

  it('honours Retry-After in seconds', async () => {
    const log: SleepLog = { sleeps: [] };
    emulator.faults.next({ status: 429, retryAfter: 3 }, { status: 503, retryAfter: '0' });
    const client = testClient({}, log);
    await onFakeClock(
      log,
      () => client.track('u', { name: 'e' }),
      () => emulator.requests.length,
    );
    expect(log.sleeps).toEqual([3000, 0]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const log: SleepLog = { sleeps: [] };
    emulator.faults.next({ status: 503, retryAfter: 'Tue, 01 Jan 2030 00:00:07 GMT' });
    const client = testClient({}, log);
    await onFakeClock(
      log,
      () => {
        vi.setSystemTime(Date.parse('2030-01-01T00:00:00Z')); // ky reads the date on Date.now()
        return client.track('u', { name: 'e' });
      },
      () => emulator.requests.length,
    );
    expect(log.sleeps).toEqual([7000]);
  });

  it('caps Retry-After at maxRetryAfterMs', async () => {
    const log: SleepLog = { sleeps: [] };
    emulator.faults.next({ status: 503, retryAfter: 600 });
    const client = testClient({ retry: { maxRetryAfterMs: 2000, budgetMs: 60_000 } }, log);
    await onFakeClock(
      log,
      () => client.track('u', { name: 'e' }),
      () => emulator.requests.length,
    );
    expect(log.sleeps).toEqual([2000]);
  });

  it('gives up when the budget is exhausted and throws the last error', async () => {
    const log: SleepLog = { sleeps: [] };
    emulator.faults.next(...Array.from({ length: 10 }, () => ({ status: 503, retryAfter: 4 })));
    const client = testClient({ retry: { budgetMs: 10_000, limit: 10 } }, log);
    const error = await rejectionOf(
      onFakeClock(
        log,
        () => client.track('u', { name: 'e' }),
        () => emulator.requests.length,
      ),
    );
    expect(error).toBeInstanceOf(CustomerIoHttpError);
    expect((error as CustomerIoHttpError).status).toBe(503);
    expect(log.sleeps).toEqual([4000, 4000]); // a third 4 s wait would pass 10 s
    expect(emulator.requests).toHaveLength(3);
    expect(emulator.events).toEqual([]);
  });

  it('gives up after `limit` retries', async () => {
    emulator.faults.next(...Array.from({ length: 6 }, () => ({ status: 500 })));
    const log: SleepLog = { sleeps: [] };
    const client = testClient({}, log);
    const error = await rejectionOf(onFakeClock(log, () => client.identify('u', {})));
    expect((error as CustomerIoHttpError).status).toBe(500);
    expect(emulator.requests).toHaveLength(5); // 1 + default limit 4
  });

  it.each([400, 401, 403, 404, 422])('never retries %i', async (status) => {
    const log: SleepLog = { sleeps: [] };
    emulator.faults.next({ status, body: JSON.stringify({ meta: { error: 'nope' } }) });
    const error = await rejectionOf(testClient({}, log).track('u', { name: 'e' }));
    expect(isCustomerIoHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status, retryable: false, body: { meta: { error: 'nope' } } });
    expect((error as Error).message).toContain('nope');
    expect(emulator.requests).toHaveLength(1);
    expect(log.sleeps).toEqual([]);
  });

  it('retries a non-JSON HTML 502 from a proxy', async () => {
    emulator.faults.next({
      status: 502,
      body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
      headers: { 'content-type': 'text/html' },
    });
    await testClient().track('u', { name: 'e' });
    expect(emulator.requests.map((r) => r.status)).toEqual([502, 200]);
  });

  it('reports a non-JSON HTML 502 that never recovers as an HTTP error', async () => {
    const html = '<!DOCTYPE html><html><body>Bad gateway</body></html>';
    emulator.faults.next(...Array.from({ length: 5 }, () => ({ status: 502, body: html })));
    const log: SleepLog = { sleeps: [] };
    const client = testClient({}, log);
    const error = (await rejectionOf(
      onFakeClock(log, () => client.track('u', { name: 'e' })),
    )) as CustomerIoHttpError;
    expect(error).toBeInstanceOf(CustomerIoHttpError);
    expect(error.status).toBe(502);
    expect(error.body).toBe(html);
    expect(error.message).toMatch(/502.*non-JSON HTML body/);
  });

  it('classifies the plain-text 401 for wrong credentials, without retrying', async () => {
    const error = (await rejectionOf(
      testClient({ apiKey: 'wrong-key' }).identify('u', {}),
    )) as CustomerIoHttpError;
    expect(error).toBeInstanceOf(CustomerIoHttpError);
    expect(error.status).toBe(401);
    expect(error.body).toBe('Unauthorized request');
    expect(error.message).toMatch(/Unauthorized request.*check siteId and apiKey/);
    expect(error.message).not.toContain('wrong-key');
    expect(emulator.requests).toHaveLength(1);
  });

  it('retries dropped connections as network errors', async () => {
    emulator.faults.next('drop');
    await testClient().track('u', { name: 'e' });
    expect(emulator.events).toHaveLength(1);
    expect(emulator.requests).toHaveLength(2);
  });

  it('reports a connection that keeps dropping as a network error', async () => {
    emulator.faults.next('drop', 'drop');
    const error = await rejectionOf(
      testClient({ retry: { limit: 1, random: () => 0 } }).track('u', { name: 'e' }),
    );
    expect(error).toBeInstanceOf(CustomerIoNetworkError);
    expect(error).toMatchObject({ method: 'POST', path: '/api/v1/customers/u/events' });
  });

  it('times out a hanging attempt and retries it', async () => {
    emulator.faults.next({ hangMs: 5000 });
    await testClient({ timeoutMs: 50 }).track('u', { name: 'e' });
    expect(emulator.requests.map((r) => r.status)).toEqual([0, 200]);
    expect(emulator.events).toHaveLength(1);
  });

  it('throws CustomerIoTimeoutError when every attempt hangs', async () => {
    emulator.faults.next({ hangMs: 5000 }, { hangMs: 5000 });
    const error = await rejectionOf(
      testClient({ timeoutMs: 30, retry: { limit: 1, random: () => 0 } }).track('u', {
        name: 'e',
      }),
    );
    expect(error).toBeInstanceOf(CustomerIoTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 30, path: '/api/v1/customers/u/events' });
  });

  it('does not retry with retry: false', async () => {
    emulator.faults.next({ status: 503 });
    await expect(testClient({ retry: false }).track('u', { name: 'e' })).rejects.toMatchObject({
      status: 503,
    });
    expect(emulator.requests).toHaveLength(1);
  });

  it('logs each retry without the key', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    emulator.faults.next({ status: 503 });
    await testClient({ logger }).track('u', { name: 'e' });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ retry: 1, status: 503, path: '/api/v1/customers/u/events' }),
      'customer.io request failed; retrying',
    );
    const everything = JSON.stringify([logger.debug.mock.calls, logger.warn.mock.calls]);
    expect(everything).not.toContain('test-key');
    expect(everything).not.toContain(btoa('test-site:test-key'));
  });
});

describe('a retried event is deduplicated by its id', () => {
  it('stored, then the connection failed: the retry is ignored as a duplicate', async () => {
    // The emulator stores the event, but the client never sees the answer (the connection dies
    // after the server processed it). Only the event id can stop the retry from duplicating it.
    const emulator = createCustomerIoEmulator();
    let calls = 0;
    const client = testClient({
      fetch: async (input, init) => {
        const response = await emulator.fetch(input, init);
        calls++;
        if (calls === 1)
          throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
        return response;
      },
    });
    const { id } = await client.track('user-1', { name: 'subscription_renewed' });
    expect(emulator.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(emulator.events.map((e) => e.id)).toEqual([id]);
    expect(emulator.stats.duplicateEvents).toBe(1);
  });

  it('a caller-supplied eventIdFor id dedupes redeliveries across calls', async () => {
    const emulator = createCustomerIoEmulator();
    const { eventIdFor } = await import('../../src/customerio/index.js');
    const client = testClient({ fetch: (input, init) => emulator.fetch(input, init) });
    const id = eventIdFor('purchasely:evt_42', 1_700_000_000_000);
    await client.track('user-1', { name: 'renewed', id });
    await client.track('user-1', { name: 'renewed', id }); // the webhook was delivered twice
    expect(emulator.events).toHaveLength(1);
    expect(emulator.stats.duplicateEvents).toBe(1);
  });
});

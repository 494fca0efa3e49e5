import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCustomerIoEmulator, type FaultStep } from '../src/index.js';
import { basicAuth, call, setupMsw } from './helpers.js';

const emulate = setupMsw();

/** Sends one HTTP/1.1 PUT over a raw socket and resolves with everything read before the socket closed. */
function rawPut(base: string, path: string, body: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.end(
        `PUT ${path} HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: ${basicAuth()}\r\n` +
          `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    // A reset (ECONNRESET) is a dropped connection too; 'close' follows it either way.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
  });
}

const identify = (id = '42') => call('PUT', `/api/v1/customers/${id}`, { plan: 'pro' });

describe('faults.next', () => {
  it('answers the queued statuses in order, then handles requests normally', async () => {
    const emulator = emulate();
    emulator.faults.next({ status: 503 }, { status: 500, body: '<html>bad gateway</html>' });

    const answers = [await identify(), await identify(), await identify()];

    expect(answers.map((answer) => answer.status)).toEqual([503, 500, 200]);
    expect(answers[1]?.text).toBe('<html>bad gateway</html>');
    expect(emulator.people.get('42')?.updates).toHaveLength(1);
    expect(emulator.stats.faultsInjected).toBe(2);
    expect(emulator.requests.map((request) => request.status)).toEqual([503, 500, 200]);
  });

  it('sends retryAfter as Retry-After, alongside custom headers', async () => {
    const emulator = emulate();
    emulator.faults.next(
      { status: 429, retryAfter: 3, headers: { 'X-Request-Id': 'abc' } },
      { status: 503, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' },
    );

    const first = await identify();
    const second = await identify();

    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.headers.get('x-request-id')).toBe('abc');
    expect(second.headers.get('retry-after')).toBe('Wed, 21 Oct 2026 07:28:00 GMT');
  });

  it('applies faults only to requests that match, leaving others untouched', async () => {
    const emulator = emulate();
    emulator.faults.next({ match: { method: 'post', path: /\/events$/ } }, { status: 502 });

    expect((await identify()).status).toBe(200);
    expect((await call('POST', '/api/v1/customers/42/events', { name: 'x' })).status).toBe(502);
    expect((await call('POST', '/api/v1/customers/42/events', { name: 'x' })).status).toBe(200);
  });

  it('faults before authentication, like a proxy would', async () => {
    const emulator = emulate();
    emulator.faults.next({ status: 504 });

    expect(
      (await call('PUT', '/api/v1/customers/1', {}, { auth: basicAuth('x', 'y') })).status,
    ).toBe(504);
  });

  it('delays, then handles the request normally', async () => {
    const emulator = emulate();
    emulator.faults.next({ delayMs: 30 });
    const started = performance.now();

    const answer = await identify();

    expect(answer.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(emulator.people.has('42')).toBe(true);
  });

  it('drops the connection: fetch rejects, the request is recorded with status 0', async () => {
    const emulator = emulate();
    emulator.faults.next('drop');

    await expect(identify()).rejects.toThrow(TypeError);
    expect(emulator.people.size).toBe(0);
    expect(emulator.requests).toMatchObject([{ method: 'PUT', status: 0 }]);
  });

  it('hangs: no answer within hangMs, so a client timeout fires first', async () => {
    const emulator = emulate();
    emulator.faults.next({ hangMs: 2_000 });
    const started = performance.now();

    const outcome = await fetch('https://track.customer.io/api/v1/customers/42', {
      method: 'PUT',
      headers: { authorization: basicAuth() },
      body: '{}',
      signal: AbortSignal.timeout(50),
    }).catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(DOMException);
    expect((outcome as DOMException).name).toBe('TimeoutError');
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(emulator.people.size).toBe(0);
  });

  it('hangs, then drops the connection once hangMs is over', async () => {
    const emulator = emulate();
    emulator.faults.next({ hangMs: 40 });

    await expect(identify()).rejects.toThrow(TypeError);
    expect(emulator.requests[0]?.status).toBe(0);
  });

  it('drop-after: applies the request, then drops the connection (a lost response)', async () => {
    const emulator = emulate();
    emulator.faults.next('drop-after');

    await expect(identify()).rejects.toThrow(TypeError);
    expect(emulator.people.get('42')?.attributes).toEqual({ plan: 'pro' });
    expect(emulator.requests).toMatchObject([{ method: 'PUT', status: 0 }]);
    expect(emulator.stats.faultsInjected).toBe(1);
  });

  it('drop-after: the client retry of an applied event is deduplicated by its id', async () => {
    const emulator = emulate();
    emulator.faults.next('drop-after');
    const event = { name: 'renewed', id: '01HZY0000A0000000000000001' };

    await expect(call('POST', '/api/v1/customers/42/events', event)).rejects.toThrow(TypeError);
    expect((await call('POST', '/api/v1/customers/42/events', event)).status).toBe(200);

    expect(emulator.events).toHaveLength(1);
    expect(emulator.stats.duplicateEvents).toBe(1);
  });

  it('drop-after: works through the fetch door and the loopback server alike', async () => {
    const emulator = createCustomerIoEmulator();
    emulator.faults.next('drop-after', 'drop-after');

    await expect(
      call('PUT', '/api/v1/customers/a', { plan: 'pro' }, { fetch: emulator.fetch }),
    ).rejects.toThrow(TypeError);
    await using server = await emulator.listen();
    // A raw socket: msw intercepts fetch and node:http in this file, not node:net.
    expect(await rawPut(server.url, '/api/v1/customers/b', '{"plan":"pro"}')).toBe('');

    expect([...emulator.people.keys()]).toEqual(['a', 'b']);
    expect(emulator.requests.map((request) => request.status)).toEqual([0, 0]);
  });

  it('refuses a matcher anywhere but first', () => {
    const emulator = createCustomerIoEmulator();
    expect(() => emulator.faults.next({ status: 500 }, { match: { path: '/' } })).toThrow(
      TypeError,
    );
  });
});

describe('faults.random', () => {
  const statusesFor = async (seed: number) => {
    const emulator = emulate();
    emulator.faults.random({ rate: 0.5, seed, steps: [{ status: 500 }, { status: 503 }] });
    const statuses: number[] = [];
    for (let index = 0; index < 20; index += 1)
      statuses.push((await identify(String(index))).status);
    return { statuses, emulator };
  };

  it('fails the same requests with the same steps for the same seed', async () => {
    const first = await statusesFor(42);
    const second = await statusesFor(42);

    expect(first.statuses).toEqual(second.statuses);
    expect(first.statuses.some((status) => status === 200)).toBe(true);
    expect(first.statuses.some((status) => status !== 200)).toBe(true);
    expect(first.emulator.stats.faultsInjected).toBe(
      first.statuses.filter((status) => status !== 200).length,
    );
  });

  it('gives another sequence for another seed', async () => {
    expect((await statusesFor(1)).statuses).not.toEqual((await statusesFor(2)).statuses);
  });

  it('fails nothing at rate 0 and everything at rate 1', async () => {
    const emulator = emulate();
    emulator.faults.random({ rate: 0, steps: [{ status: 500 }], seed: 1 });
    expect((await identify()).status).toBe(200);

    emulator.faults.random({ rate: 1, steps: ['drop' satisfies FaultStep], seed: 1 });
    await expect(identify()).rejects.toThrow(TypeError);
  });

  it('lets queued steps go first and stops on clear()', async () => {
    const emulator = emulate();
    emulator.faults.random({ rate: 1, steps: [{ status: 500 }], seed: 1 });
    emulator.faults.next({ status: 418 });

    expect((await identify()).status).toBe(418);
    expect((await identify()).status).toBe(500);
    emulator.faults.clear();
    expect((await identify()).status).toBe(200);
  });

  it('validates its options', () => {
    const emulator = createCustomerIoEmulator();
    expect(() => emulator.faults.random({ rate: 2, steps: [{ status: 500 }] })).toThrow(RangeError);
    expect(() => emulator.faults.random({ rate: 0.5, steps: [] })).toThrow(RangeError);
  });
});

describe('reset', () => {
  it('clears state, recorder, stats and faults', async () => {
    const emulator = emulate();
    await identify();
    emulator.faults.next({ status: 500 });
    emulator.reset();

    expect(emulator.people.size).toBe(0);
    expect(emulator.requests).toEqual([]);
    expect(emulator.stats).toEqual({
      duplicateEvents: 0,
      rateLimited: 0,
      faultsInjected: 0,
      requests: 0,
      droppedOperations: 0,
    });
    expect((await identify()).status).toBe(200);
  });
});

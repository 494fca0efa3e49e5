import { describe, expect, it } from 'vitest';
import {
  CustomerIoBatchError,
  CustomerIoHttpError,
  type TrackV2Operation,
  utf8ByteLength,
} from '../../src/customerio/index.js';
import { rejectionOf, testClient, useEmulator } from './helpers.js';

/** An event operation of about `bytes` bytes of JSON. */
const event = (i: number, bytes = 20_000): TrackV2Operation => ({
  type: 'person',
  action: 'event',
  identifiers: { id: `user-${i}` },
  name: `event-${i}`,
  attributes: { blob: 'x'.repeat(bytes) },
});

describe('batch() against the emulator', () => {
  const { emulator } = useEmulator();

  it('splits operations totalling over 500 KB into several requests, keeping order', async () => {
    const ops = Array.from({ length: 60 }, (_, i) => event(i)); // ~1.2 MB
    const result = await testClient().batch(ops);
    expect(result.requests).toBeGreaterThanOrEqual(3);
    expect(result.failures).toEqual([]);
    expect(emulator.requests).toHaveLength(result.requests);
    for (const request of emulator.requests) {
      expect(request.path).toBe('/api/v2/batch');
      expect(request.status).toBe(200);
      expect(utf8ByteLength(request.body)).toBeLessThan(500 * 1024);
    }
    // Order is kept across requests, and every operation arrived exactly once.
    const sentNames = emulator.requests.flatMap((r) =>
      (JSON.parse(r.body).batch as Array<{ name: string }>).map((op) => op.name),
    );
    expect(sentNames).toEqual(ops.map((_, i) => `event-${i}`));
    expect(emulator.events.map((e) => e.name)).toEqual(sentNames);
  });

  it('packs requests greedily: each but the last could not take the next operation', async () => {
    const ops = Array.from({ length: 60 }, (_, i) => event(i, 9000 + i * 101));
    await testClient().batch(ops);
    const bodies = emulator.requests.map((r) => r.body);
    for (let i = 0; i < bodies.length - 1; i++) {
      const nextOp = JSON.stringify(JSON.parse(bodies[i + 1]!).batch[0]);
      expect(utf8ByteLength(bodies[i]!) + 1 + utf8ByteLength(nextOp)).toBeGreaterThanOrEqual(
        500 * 1024,
      );
    }
  });

  it('maps 207 failures back to the caller’s indexes across a multi-request split', async () => {
    // The emulator's workspaces do not enable phone identifiers, so those operations fail with
    // a 207 while the rest are applied.
    const ops: TrackV2Operation[] = Array.from({ length: 60 }, (_, i) => event(i));
    const bad = [2, 31, 57];
    for (const i of bad) {
      ops[i] = { type: 'person', action: 'identify', identifiers: { phone: `+3360000000${i}` } };
    }
    const result = await testClient().batch(ops);
    expect(result.requests).toBeGreaterThan(1);
    const statuses = emulator.requests.map((r) => r.status);
    expect(statuses.filter((s) => s === 207).length).toBeGreaterThan(1); // failures in several requests
    expect(result.failures.map((f) => f.index)).toEqual(bad);
    for (const failure of result.failures) {
      expect(failure.operation).toEqual(ops[failure.index]);
      expect(failure.message).toMatch(/phone/);
    }
    expect(result.unattributed).toEqual([]);
    expect(emulator.events).toHaveLength(57);
  });

  it('reports 207 errors without a usable batch_index as unattributed', async () => {
    emulator.faults.next({
      status: 207,
      body: JSON.stringify({
        errors: [{ message: 'mystery' }, { batch_index: 99, message: 'far' }],
      }),
    });
    const result = await testClient().batch([event(0, 10)]);
    expect(result.failures).toEqual([]);
    expect(result.unattributed).toEqual([{ message: 'mystery' }, { message: 'far' }]);
  });

  it.each([
    ['not JSON', '<html><body>502 from the edge</body></html>'],
    ['JSON without an errors list', JSON.stringify({ status: 'partial' })],
    ['an errors list of non-objects', JSON.stringify({ errors: ['bad'] })],
    ['empty', ''],
  ])('rejects a 207 whose body is %s: neither success nor a rejection', async (_, body) => {
    emulator.faults.next({ status: 207, body });
    const error = await rejectionOf(testClient().batch([event(0, 10)]));
    expect(error).toBeInstanceOf(CustomerIoHttpError);
    expect((error as CustomerIoHttpError).status).toBe(207);
    expect((error as CustomerIoHttpError).hasCustomerIoErrorBody).toBe(false);
    expect((error as Error).message).toMatch(/207.*cannot be read/);
    expect(emulator.requests).toHaveLength(1); // a 207 is not retried: part of it may be applied
  });

  it('generates event ids once, so a retried batch does not duplicate events', async () => {
    emulator.faults.next({ status: 503 });
    await testClient().batch([event(0, 10), event(1, 10)]);
    expect(emulator.requests.map((r) => r.status)).toEqual([503, 200]);
    expect(emulator.requests[0]!.body).toBe(emulator.requests[1]!.body);
    expect(emulator.events).toHaveLength(2);
  });

  it('throws the error itself when the first request fails (nothing was sent)', async () => {
    emulator.faults.next({
      status: 400,
      body: JSON.stringify({ errors: [{ field: 'batch', message: 'bad' }] }),
    });
    const error = await rejectionOf(testClient().batch([event(0, 10)]));
    expect(error).toBeInstanceOf(CustomerIoHttpError);
    expect((error as Error).message).toMatch(/batch: bad/);
  });

  it('stops at a failed later request and says what was sent', async () => {
    emulator.faults.next(
      { match: { path: '/api/v2/batch' } },
      { delayMs: 0 },
      { status: 401, body: 'Unauthorized request' },
    );
    const ops = Array.from({ length: 60 }, (_, i) => event(i));
    const error = (await rejectionOf(testClient().batch(ops))) as CustomerIoBatchError;
    expect(error).toBeInstanceOf(CustomerIoBatchError);
    expect(error.requestsSent).toBe(1);
    expect(error.operationsSent).toBe(JSON.parse(emulator.requests[0]!.body).batch.length);
    expect(error.cause).toBeInstanceOf(CustomerIoHttpError);
    expect(emulator.requests).toHaveLength(2); // nothing after the failure
    expect(emulator.events).toHaveLength(error.operationsSent);
  });
});

import { createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  type BatchFailure,
  CustomerIoError,
  CustomerIoHttpError,
  CustomerIoValidationError,
  type TrackV2Operation,
  utf8ByteLength,
} from '../../src/customerio/index.js';
import { testClient, useEmulator } from './helpers.js';

const event = (i: number, bytes = 100): TrackV2Operation => ({
  type: 'person',
  action: 'event',
  identifiers: { id: `user-${i}` },
  name: `event-${i}`,
  attributes: { blob: 'x'.repeat(bytes) },
});

const names = (requests: ReadonlyArray<{ body: string }>) =>
  requests.flatMap((r) => (JSON.parse(r.body).batch as Array<{ name: string }>).map((o) => o.name));

describe('createBatcher', () => {
  const { emulator } = useEmulator();

  it('flushes on size, keeps add order and every body under maxBytes', async () => {
    const batcher = testClient().createBatcher({ maxBytes: 10_000, flushIntervalMs: false });
    for (let i = 0; i < 50; i++) await batcher.add(event(i, 900));
    // Size-triggered requests went out while adding; close() sends the rest.
    await batcher.close();
    expect(emulator.requests.length).toBeGreaterThan(4);
    for (const r of emulator.requests) expect(utf8ByteLength(r.body)).toBeLessThanOrEqual(10_000);
    expect(names(emulator.requests)).toEqual(Array.from({ length: 50 }, (_, i) => `event-${i}`));
    expect(emulator.events).toHaveLength(50);
    expect(batcher.stats).toEqual({
      operations: 50,
      requests: emulator.requests.length,
      failures: 0,
      errors: 0,
    });
    expect(batcher.pending).toBe(0);
  });

  it('flushes on maxOperations', async () => {
    const batcher = testClient().createBatcher({ maxOperations: 3, flushIntervalMs: false });
    for (let i = 0; i < 7; i++) await batcher.add(event(i));
    await batcher.flush();
    expect(emulator.requests.map((r) => JSON.parse(r.body).batch.length)).toEqual([3, 3, 1]);
  });

  it('flushes on the interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const batcher = testClient().createBatcher({ flushIntervalMs: 5000 });
      await batcher.add(event(1));
      await batcher.add(event(2));
      expect(emulator.requests).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(4999);
      expect(emulator.requests).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitFor(() => expect(emulator.requests).toHaveLength(1));
      expect(names(emulator.requests)).toEqual(['event-1', 'event-2']);
      await batcher.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('flush() sends what is buffered and resolves when it has been sent', async () => {
    const batcher = testClient().createBatcher({ flushIntervalMs: false });
    await batcher.add(event(1));
    expect(batcher.pending).toBe(1);
    await batcher.flush();
    expect(emulator.events.map((e) => e.name)).toEqual(['event-1']);
    expect(batcher.pending).toBe(0);
    await batcher.flush(); // nothing buffered: no request
    expect(emulator.requests).toHaveLength(1);
  });

  it('close() flushes, then refuses new operations', async () => {
    const batcher = testClient().createBatcher();
    await batcher.add(event(1));
    await batcher.close();
    expect(emulator.events).toHaveLength(1);
    expect(() => batcher.add(event(2))).toThrow(CustomerIoError);
    expect(() => batcher.add(event(2))).toThrow(/closed/);
  });

  it('validates each operation as it is added, naming its add index', async () => {
    const batcher = testClient().createBatcher({ flushIntervalMs: false });
    await batcher.add(event(0));
    try {
      batcher.add({ ...event(1), name: '' } as TrackV2Operation);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CustomerIoValidationError);
      expect((error as CustomerIoValidationError).index).toBe(1);
    }
    expect(() => batcher.add(event(2, 40_000))).toThrow(/32768/);
    await batcher.close();
    expect(emulator.events.map((e) => e.name)).toEqual(['event-0']);
  });

  it('never has more than one request in flight', async () => {
    const local = createCustomerIoEmulator();
    let inFlight = 0;
    let maxInFlight = 0;
    const client = testClient({
      fetch: async (input, init) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        try {
          return await local.fetch(input, init);
        } finally {
          inFlight--;
        }
      },
    });
    const batcher = client.createBatcher({ maxOperations: 2, flushIntervalMs: false });
    const adds: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i++) adds.push(batcher.add(event(i))); // not awaited: a burst
    await Promise.all(adds);
    await batcher.close();
    expect(maxInFlight).toBe(1);
    expect(local.events.map((e) => e.name)).toEqual(
      Array.from({ length: 20 }, (_, i) => `event-${i}`),
    );
  });

  it('applies back-pressure once a request is queued behind the one in flight', async () => {
    const local = createCustomerIoEmulator();
    const releases: Array<() => void> = [];
    const client = testClient({
      fetch: async (input, init) => {
        await new Promise<void>((resolve) => releases.push(resolve));
        return local.fetch(input, init);
      },
    });
    const batcher = client.createBatcher({ maxOperations: 1, flushIntervalMs: false });
    let settled = false;
    await batcher.add(event(0)); // sealed and in flight
    const second = batcher.add(event(1)); // queued behind it
    void second.then(() => {
      settled = true;
    });
    await vi.waitFor(() => expect(releases).toHaveLength(1));
    await Promise.resolve();
    expect(settled).toBe(false);
    releases.shift()!();
    await second;
    expect(settled).toBe(true);
    await vi.waitFor(() => expect(releases).toHaveLength(1));
    releases.shift()!();
    await batcher.close();
    expect(local.events).toHaveLength(2);
  });

  it('passes 207 failures to onFailures with add-order indexes', async () => {
    const onFailures = vi.fn<(failures: BatchFailure[]) => void>();
    const batcher = testClient().createBatcher({
      maxOperations: 2,
      onFailures,
      flushIntervalMs: false,
    });
    for (let i = 0; i < 5; i++) {
      await batcher.add(
        i === 3
          ? { type: 'person', action: 'identify', identifiers: { phone: '+33600000000' } }
          : event(i),
      );
    }
    await batcher.close();
    expect(onFailures).toHaveBeenCalledTimes(1);
    expect(onFailures.mock.calls[0]![0].map((f) => f.index)).toEqual([3]);
    expect(batcher.stats.failures).toBe(1);
  });

  it('passes failed requests to onError with their operations, and carries on', async () => {
    const onError = vi.fn();
    emulator.faults.next({ status: 400, body: '{"errors":[{"message":"bad"}]}' });
    const batcher = testClient().createBatcher({
      maxOperations: 2,
      onError,
      flushIntervalMs: false,
    });
    for (let i = 0; i < 4; i++) await batcher.add(event(i));
    await batcher.close();
    expect(onError).toHaveBeenCalledTimes(1);
    const [error, operations] = onError.mock.calls[0]!;
    expect(error).toBeInstanceOf(CustomerIoHttpError);
    expect(operations.map((o: { name: string }) => o.name)).toEqual(['event-0', 'event-1']);
    expect(emulator.events.map((e) => e.name)).toEqual(['event-2', 'event-3']);
    expect(batcher.stats.errors).toBe(1);
  });

  it('without onError, a failed request makes the next flush() reject', async () => {
    emulator.faults.next({ status: 401, body: 'Unauthorized request' });
    const batcher = testClient().createBatcher({ flushIntervalMs: false });
    await batcher.add(event(0));
    await expect(batcher.flush()).rejects.toMatchObject({ status: 401 });
    await batcher.add(event(1));
    await expect(batcher.close()).resolves.toBeUndefined(); // the error was reported once
  });
});

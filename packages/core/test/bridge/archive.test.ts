import { purchaselyEvent } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import {
  type ArchiveRecord,
  createMemoryStore,
  parsePurchaselyEvent,
  STATUS_BY_OUTCOME,
} from '../../src/index.js';
import { recordingLogger, SECRET, send, setup } from './helpers.js';

function memoryArchive() {
  const records: ArchiveRecord[] = [];
  return { records, write: async (record: ArchiveRecord) => void records.push(record) };
}

describe('the archive', () => {
  it('keeps the raw body byte for byte, the receive time, the event id and name; never the secret or signature', async () => {
    const archive = memoryArchive();
    const { bridge } = setup({ archive });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-archived' });
    // Unusual spacing and non-ASCII text: a re-serialised body would differ.
    const body = `{ "note": "café ☕",\n${JSON.stringify(event).slice(1)}`;
    const before = Date.now();
    const answer = await send(bridge, body);
    expect(answer.json).toMatchObject({ status: 'forwarded' });
    expect(archive.records).toHaveLength(1);
    const [record] = archive.records as [ArchiveRecord];
    expect(Object.keys(record).sort()).toEqual(['body', 'eventId', 'eventName', 'receivedAt']);
    expect(record.body).toBe(body);
    expect(record.eventId).toBe(event.event_id);
    expect(record.eventName).toBe('SUBSCRIPTION_RENEWED');
    expect(Date.parse(record.receivedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(new Date(record.receivedAt).toISOString()).toBe(record.receivedAt);
    expect(JSON.stringify(record)).not.toContain(SECRET);
    const reparsed = parsePurchaselyEvent(record.body);
    expect(reparsed.ok && reparsed.event).toEqual(JSON.parse(body));
  });

  it('a body sent as bytes is archived as the same UTF-8 text', async () => {
    const archive = memoryArchive();
    const { bridge } = setup({ archive });
    const body = JSON.stringify(purchaselyEvent('SUBSCRIPTION_STARTED', { plan: 'année' }));
    await send(bridge, new TextEncoder().encode(body));
    expect(archive.records[0]?.body).toBe(body);
  });

  it('archives duplicates and skipped events too, and nothing that fails the signature', async () => {
    const archive = memoryArchive();
    const { bridge } = setup({ archive, store: createMemoryStore() });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    await send(bridge, event);
    expect((await send(bridge, event)).json).toMatchObject({ status: 'duplicate' });
    const skipped = purchaselyEvent('ACTIVATE'); // not forwarded by default
    expect((await send(bridge, skipped)).json).toMatchObject({ status: 'skipped' });
    expect((await send(bridge, event, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await send(bridge, '{"not": "v3"}')).json).toMatchObject({ status: 'failed' });
    expect(archive.records.map((record) => record.eventName)).toEqual([
      'SUBSCRIPTION_RENEWED',
      'SUBSCRIPTION_RENEWED',
      'ACTIVATE',
    ]);
  });

  it('a failed write is not acknowledged: 503 archive_unavailable, nothing claimed or sent, onFailed fires; the re-delivery goes through', async () => {
    let broken = true;
    const records: ArchiveRecord[] = [];
    const failures: Array<{ reason: string; willRetry: boolean }> = [];
    const logger = recordingLogger();
    const { emulator, bridge } = setup({
      archive: {
        write: async (record) => {
          if (broken) throw new Error('disk full');
          records.push(record);
        },
      },
      logger,
      hooks: { onFailed: ({ reason, willRetry }) => failures.push({ reason, willRetry }) },
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    const answer = await send(bridge, event);
    expect(answer.status).toBe(503);
    expect(STATUS_BY_OUTCOME.archive_unavailable).toBe(503);
    expect(answer.json).toEqual({
      error: 'archive_unavailable',
      event_id: event.event_id,
      event_name: 'SUBSCRIPTION_RENEWED',
    });
    expect(answer.headers['retry-after']).toBe('30');
    expect(emulator.requests).toHaveLength(0);
    expect(failures).toEqual([{ reason: 'archive_unavailable', willRetry: true }]);
    expect(
      logger.calls.some((call) => call.level === 'error' && /archive/.test(call.message)),
    ).toBe(true);

    broken = false;
    expect((await send(bridge, event)).json).toMatchObject({ status: 'forwarded' });
    expect(records).toHaveLength(1);
    expect(emulator.events).toHaveLength(1);
  });

  it('answers only after the write resolves', async () => {
    let release: () => void = () => {};
    const written = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { bridge } = setup({ archive: { write: () => written } });
    let answered = false;
    const answer = send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED')).then((value) => {
      answered = true;
      return value;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    release();
    expect((await answer).status).toBe(200);
  });

  it('a sink without write() is a configuration error at start-up', () => {
    expect(() => setup({ archive: {} as never })).toThrow(/archive/);
  });
});

import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ArchiveRecord,
  createPurchaselyBridge,
  parsePurchaselyEvent,
} from '@purchasely-customerio/core';
import {
  createCustomerIoEmulator,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileArchive } from '../src/index.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'archive-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function record(
  receivedAt: string,
  body = JSON.stringify(purchaselyEvent('SUBSCRIPTION_RENEWED')),
): ArchiveRecord {
  const event = JSON.parse(body) as { event_id: string; event_name: string };
  return { receivedAt, eventId: event.event_id, eventName: event.event_name, body };
}

async function lines(file: string): Promise<ArchiveRecord[]> {
  const text = await readFile(join(directory, file), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as ArchiveRecord);
}

describe('createFileArchive', () => {
  it('writes one JSON line per record, the body kept exactly, in a file named by the UTC day', async () => {
    const archive = createFileArchive({ directory: join(directory, 'nested') });
    const body = '{ "api_version": 3,\n "note": "café ☕ \\u00e9" }';
    await archive.write(
      record('2024-05-01T23:59:59.000Z', JSON.stringify(purchaselyEvent('SUBSCRIPTION_RENEWED'))),
    );
    await archive.write({
      receivedAt: '2024-05-01T23:59:59.500Z',
      eventId: 'e2',
      eventName: 'X',
      body,
    });
    await archive.close();
    directory = join(directory, 'nested');
    expect(await readdir(directory)).toEqual(['purchasely-webhooks-2024-05-01.ndjson']);
    const written = await lines('purchasely-webhooks-2024-05-01.ndjson');
    expect(written).toHaveLength(2);
    expect(Object.keys(written[0] as object)).toEqual([
      'receivedAt',
      'eventId',
      'eventName',
      'body',
    ]);
    expect(written[1]?.body).toBe(body);
  });

  it('starts a new file each day and once a file would pass maxFileBytes', async () => {
    const one = record('2024-05-01T10:00:00.000Z');
    const lineBytes = Buffer.byteLength(`${JSON.stringify(one)}\n`);
    const archive = createFileArchive({
      directory,
      maxFileBytes: lineBytes * 2 + 10,
      prefix: 'host-a',
    });
    for (let index = 0; index < 5; index++) await archive.write(record('2024-05-01T10:00:00.000Z'));
    await archive.write(record('2024-05-02T00:00:01.000Z'));
    await archive.close();
    expect((await readdir(directory)).sort()).toEqual([
      'host-a-2024-05-01.1.ndjson',
      'host-a-2024-05-01.2.ndjson',
      'host-a-2024-05-01.ndjson',
      'host-a-2024-05-02.ndjson',
    ]);
    expect(await lines('host-a-2024-05-01.ndjson')).toHaveLength(2);
    expect(await lines('host-a-2024-05-01.1.ndjson')).toHaveLength(2);
    expect(await lines('host-a-2024-05-01.2.ndjson')).toHaveLength(1);
    for (const file of await readdir(directory)) {
      expect((await stat(join(directory, file))).size).toBeLessThanOrEqual(lineBytes * 2 + 10);
    }
  });

  it('a restart appends to the newest file of the day', async () => {
    const first = createFileArchive({ directory, maxFileBytes: 100_000 });
    await first.write(record('2024-05-01T10:00:00.000Z'));
    await first.close();
    const second = createFileArchive({ directory, maxFileBytes: 100_000 });
    await second.write(record('2024-05-01T11:00:00.000Z'));
    await second.close();
    expect(await lines('purchasely-webhooks-2024-05-01.ndjson')).toHaveLength(2);
  });

  it('concurrent writes never interleave: every line is whole and every record is there', async () => {
    const archive = createFileArchive({ directory, maxFileBytes: 200_000 });
    const records = Array.from({ length: 500 }, (_, index) =>
      record(
        '2024-05-01T10:00:00.000Z',
        JSON.stringify(
          purchaselyEvent('SUBSCRIPTION_RENEWED', {
            user_id: `u${index}`,
            pad: 'x'.repeat(index * 7),
          }),
        ),
      ),
    );
    await Promise.all(records.map((item) => archive.write(item)));
    await archive.close();
    const written = [];
    for (const file of await readdir(directory)) written.push(...(await lines(file)));
    expect(written.map((item) => item.eventId).sort()).toEqual(
      records.map((item) => item.eventId).sort(),
    );
  });

  it('a failed write rejects with the error (the bridge then answers 503), and the next write tries again', async () => {
    const blocked = join(directory, 'blocked');
    await writeFile(blocked, 'a file where the folder should be');
    const archive = createFileArchive({ directory: blocked });
    await expect(archive.write(record('2024-05-01T10:00:00.000Z'))).rejects.toThrow(
      /EEXIST|ENOTDIR/,
    );
    await rm(blocked);
    await archive.write(record('2024-05-01T10:00:00.000Z'));
    await archive.close();
    expect(await readdir(blocked)).toEqual(['purchasely-webhooks-2024-05-01.ndjson']);
    await expect(archive.write(record('2024-05-01T10:00:00.000Z'))).rejects.toThrow(/closed/);
  });

  it('wired into a bridge: the archived body re-parses to the event that was received; a failing archive answers 503', async () => {
    const emulator = createCustomerIoEmulator();
    const archive = createFileArchive({ directory });
    const bridge = createPurchaselyBridge({
      webhookSecret: 'whsec_test',
      customerio: {
        siteId: 'test-site',
        apiKey: 'test-key',
        region: 'us',
        fetch: emulator.fetch,
        rateLimit: false,
      },
      archive,
      logger: false,
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-file' });
    const webhook = await signedPurchaselyWebhook({ secret: 'whsec_test', body: event });
    expect((await bridge.handle({ method: 'POST', ...webhook })).status).toBe(200);
    await archive.close();
    const [file] = await readdir(directory);
    const [written] = await lines(file as string);
    expect(written?.body).toBe(webhook.body);
    const reparsed = parsePurchaselyEvent(written?.body);
    expect(reparsed.ok && reparsed.event).toEqual(event);
    expect(JSON.stringify(written)).not.toContain('whsec_test');
    // The archive is closed now: its writes reject, so the bridge does not acknowledge.
    const again = await signedPurchaselyWebhook({
      secret: 'whsec_test',
      body: purchaselyEvent('SUBSCRIPTION_RENEWED'),
    });
    expect((await bridge.handle({ method: 'POST', ...again })).status).toBe(503);
  });
});

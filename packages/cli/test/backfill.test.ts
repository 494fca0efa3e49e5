import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventIdFor } from '@purchasely-customerio/core';
import { describe, expect, it } from 'vitest';
import {
  FAST,
  updatesPerPerson,
  useSandbox,
  waitForCheckpoint,
  writeNdjson,
} from './backfill-helpers.js';
import { runCli, startCli } from './run-cli.js';

const sandbox = useSandbox();

describe('backfill <file>', () => {
  it('10,000 rows for 2,500 people: each person gets exactly one attribute update, no events by default; a rerun has nothing to do', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 10_000, 2_500);
    const result = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(result.stderr).toContain('progress: 10000/10000 rows (100%)');
    expect(result.code).toBe(0);
    const updates = updatesPerPerson(sandbox.cio.emulator);
    expect(updates.size).toBe(2_500);
    expect([...updates.values()].every((count) => count === 1)).toBe(true);
    expect(sandbox.cio.emulator.events).toHaveLength(0);
    // The newest of each person's rows decides their attributes.
    expect(sandbox.cio.emulator.people.get('user-7')?.attributes.last_event).toBe(
      'SUBSCRIPTION_RENEWED',
    );
    expect(result.stdout).toMatch(/rows read\s+10000/);
    expect(result.stdout).toMatch(/people updated\s+2500/);
    expect(result.stdout).toMatch(/failed\s+0/);
    const checkpoint = JSON.parse(await readFile(`${file}.checkpoint.json`, 'utf8'));
    expect(checkpoint).toMatchObject({ finished: true, peopleDone: 2_500 });

    const requests = sandbox.cio.emulator.requests.length;
    const again = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Already finished');
    expect(sandbox.cio.emulator.requests).toHaveLength(requests);
  });

  it('stopped by SIGTERM mid-run, then resumed: every person updated exactly once', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 10_000, 2_500);
    // Slow enough to stop midway: one 50-person chunk at a time, 20 requests a second.
    const slow = ['--chunk-size', '50', '--concurrency', '1', '--rate-limit', '20'];
    const running = startCli(['backfill', file, ...sandbox.cio.flags, ...slow]);
    await waitForCheckpoint(`${file}.checkpoint.json`, (done) => done >= 200);
    expect(await running.stop('SIGTERM')).toBe(1);
    expect(running.output()).toContain('rerun the same command to resume');
    const stoppedAt = JSON.parse(await readFile(`${file}.checkpoint.json`, 'utf8')).peopleDone;
    expect(stoppedAt).toBeLessThan(2_500);

    const resumed = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resuming from ${file}.checkpoint.json: ${stoppedAt} of 2500`);
    const updates = updatesPerPerson(sandbox.cio.emulator);
    expect(updates.size).toBe(2_500);
    expect([...updates.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect(resumed.stdout).toMatch(/people updated\s+2500/);
  });

  it('killed (SIGKILL) mid-run, then resumed: everyone updated; only the chunk in flight can be updated twice; no event duplicated', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    const eventIds = await writeNdjson(file, 10_000, 2_500);
    const slow = ['--chunk-size', '50', '--concurrency', '1', '--rate-limit', '10', '--events'];
    const running = startCli(['backfill', file, ...sandbox.cio.flags, ...slow]);
    await waitForCheckpoint(`${file}.checkpoint.json`, (done) => done >= 100);
    await running.stop('SIGKILL');
    const resumed = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST, '--events']);
    expect(resumed.code).toBe(0);
    const updates = updatesPerPerson(sandbox.cio.emulator);
    expect(updates.size).toBe(2_500);
    const twice = [...updates.values()].filter((count) => count === 2).length;
    expect(twice).toBeLessThanOrEqual(50);
    expect([...updates.values()].every((count) => count === 1 || count === 2)).toBe(true);
    // Customer.io deduplicates the redone chunk's events by their deterministic ids.
    const ids = sandbox.cio.emulator.events.map((event) => event.id);
    expect(new Set(ids).size).toBe(10_000);
    expect(ids).toHaveLength(10_000);
    expect(new Set(ids)).toEqual(
      new Set(eventIds.map((id, index) => eventIdFor(id, Date.UTC(2023, 0, 1) + index * 60_000))),
    );
  });

  it('--events: events keep their original time and deterministic ids; a rerun from scratch duplicates nothing', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 300, 100);
    const first = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST, '--events']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/events sent\s+300/);
    expect(sandbox.cio.emulator.events).toHaveLength(300);
    const event = sandbox.cio.emulator.events.find((item) => item.data.user_id === 'user-0');
    expect(event?.timestamp).toBe(Math.floor(Date.UTC(2023, 0, 1) / 1000));

    const again = await runCli([
      'backfill',
      file,
      ...sandbox.cio.flags,
      ...FAST,
      '--events',
      '--checkpoint',
      join(sandbox.dir, 'fresh.json'),
    ]);
    expect(again.code).toBe(0);
    expect(sandbox.cio.emulator.events).toHaveLength(300);
    expect(sandbox.cio.emulator.stats.duplicateEvents).toBe(300);
  });

  it('a resume must use the same --events as the checkpoint', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 10, 5);
    expect((await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST])).code).toBe(0);
    const mixed = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST, '--events']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('was made without --events');
  });

  it('--dry-run sends nothing and writes no checkpoint, but shows the people, events and first operations', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 1_000, 250);
    const result = await runCli(['backfill', file, '--dry-run', ...sandbox.cio.flags]);
    expect(result.code).toBe(0);
    expect(sandbox.cio.emulator.requests).toHaveLength(0);
    expect(result.stdout).toContain(
      'Dry run: nothing is sent. 250 people would get one attribute update each',
    );
    expect(result.stdout).toContain('"action":"identify","identifiers":{"id":"user-0"}');
    expect(result.stdout).toMatch(/people would be updated\s+250/);
    await expect(readFile(`${file}.checkpoint.json`)).rejects.toThrow(/ENOENT/);
  });

  it('dry run needs no Customer.io credentials', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 4, 2);
    const result = await runCli(['backfill', file, '--dry-run'], {
      env: { CUSTOMERIO_SITE_ID: undefined, CUSTOMERIO_API_KEY: undefined },
    });
    expect(result.code).toBe(0);
  });

  it('bad rows are never dropped silently: listed in --failed (re-usable as input), the rest delivered, exit 1', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 20, 10);
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      `${text}{not json\n{"api_version": 3, "event_name": "SUBSCRIPTION_RENEWED"}\n`,
    );
    const failedPath = join(sandbox.dir, 'failed.ndjson');
    const result = await runCli([
      'backfill',
      file,
      ...sandbox.cio.flags,
      ...FAST,
      '--failed',
      failedPath,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/failed\s+2\s+listed in/);
    expect(result.stdout).toContain('row 21: invalid_json');
    const failed = (await readFile(failedPath, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(failed).toEqual([
      expect.objectContaining({ row: 21, reason: 'invalid_json', body: '{not json' }),
      expect.objectContaining({ row: 22, reason: 'invalid_payload' }),
    ]);
    expect(updatesPerPerson(sandbox.cio.emulator).size).toBe(10);
  });

  it('transient Customer.io failures are retried before a row counts as failed', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 20, 10);
    sandbox.cio.emulator.faults.next(
      { match: { path: '/api/v2/batch' } },
      { status: 503 },
      { status: 503 },
      { status: 503 },
      { status: 503 },
    );
    const result = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/people updated\s+10/);
    expect(sandbox.cio.emulator.stats.faultsInjected).toBe(4);
  });

  it('a missing file is a usage error naming it (exit 2)', async () => {
    const missing = join(sandbox.dir, 'nonexistent.ndjson');
    const result = await runCli(['backfill', missing, ...sandbox.cio.flags, ...FAST]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no such file: ${missing}`);
    const directory = await runCli(['backfill', sandbox.dir, ...sandbox.cio.flags, ...FAST]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain(`${sandbox.dir} is a directory, not a file`);
  });

  it('a checkpoint of another file is refused (exit 2)', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 10, 5);
    await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    await writeNdjson(file, 12, 5);
    const result = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('belongs to another file');
  });
});

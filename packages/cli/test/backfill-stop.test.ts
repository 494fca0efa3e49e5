import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { purchaselyEvent } from '@purchasely-customerio/testing';
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

/** Slow enough to stop midway: one 10-person chunk at a time, 20 requests a second. */
const SLOW = ['--chunk-size', '10', '--concurrency', '1', '--rate-limit', '20'];

/** Waits for the exit: SIGCONT asks nothing of a running process. */
const exitOf = (running: ReturnType<typeof startCli>) => running.stop('SIGCONT');

const readCheckpoint = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Stops a slow run by SIGTERM once `done` people are acknowledged; returns the checkpoint's people done. */
async function stoppedMidway(file: string, done: number): Promise<number> {
  const running = startCli(['backfill', file, ...sandbox.cio.flags, ...SLOW]);
  await waitForCheckpoint(`${file}.checkpoint.json`, (peopleDone) => peopleDone >= done);
  expect(await running.stop('SIGTERM')).toBe(1);
  return (await readCheckpoint(`${file}.checkpoint.json`)).peopleDone;
}

describe('backfill: the checkpoint belongs to one people order', () => {
  it('a resume whose --config gives other people (or the same in another order) is refused, exit 2, nothing sent', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 2_000, 500);
    const stoppedAt = await stoppedMidway(file, 20);
    const checkpoint = await readCheckpoint(`${file}.checkpoint.json`);
    expect(checkpoint.people).toEqual({ count: 500, orderSha256: expect.any(String) });
    const requests = sandbox.cio.emulator.requests.length;

    // Same number of people, other keys: resumed, the first `stoppedAt` of them would be skipped.
    const renamed = join(sandbox.dir, 'renamed.mjs');
    await writeFile(renamed, 'export default { identify: (event) => "acct-" + event.user_id };\n');
    const other = await runCli([
      'backfill',
      file,
      ...sandbox.cio.flags,
      ...FAST,
      '--config',
      renamed,
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      'gives the same number of people (500) but not the same people in the same order',
    );
    expect(other.stderr).toContain(`its ${stoppedAt} people done no longer say who is done`);
    expect(other.stderr).toContain('delete the checkpoint to start over');

    // Fewer people: user-0 … user-9 become one person, and so on.
    const merged = join(sandbox.dir, 'merged.mjs');
    await writeFile(
      merged,
      'export default { identify: (event) => event.user_id.slice(0, -1) };\n',
    );
    const fewer = await runCli([
      'backfill',
      file,
      ...sandbox.cio.flags,
      ...FAST,
      '--config',
      merged,
    ]);
    expect(fewer.code).toBe(2);
    expect(fewer.stderr).toContain('gives 50 people where the checkpoint was made with 500');
    expect(sandbox.cio.emulator.requests).toHaveLength(requests);

    // The mapping of the first run resumes, and everyone is updated exactly once.
    const resumed = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(resumed.code).toBe(0);
    const updates = updatesPerPerson(sandbox.cio.emulator);
    expect(updates.size).toBe(500);
    expect([...updates.entries()].filter(([, count]) => count !== 1)).toEqual([]);
  });

  it('a checkpoint written before the people were recorded resumes with a note, and records them from then on', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 2_000, 500);
    await stoppedMidway(file, 20);
    const { people: _, ...older } = await readCheckpoint(`${file}.checkpoint.json`);
    await writeFile(`${file}.checkpoint.json`, JSON.stringify(older));
    const resumed = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('records no people order');
    expect((await readCheckpoint(`${file}.checkpoint.json`)).people).toMatchObject({ count: 500 });
    expect([...updatesPerPerson(sandbox.cio.emulator).values()].every((count) => count === 1)).toBe(
      true,
    );
  });
});

describe('backfill: stopping', () => {
  it('a stop while the file is read sends nothing and saves the checkpoint; the resume sends everyone once', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 10_000, 2_500);
    const running = startCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    await running.waitFor(/Reading /);
    expect(await running.stop('SIGTERM')).toBe(1);
    expect(running.output()).toContain('interrupted');
    expect(sandbox.cio.emulator.requests).toHaveLength(0);
    expect(await readCheckpoint(`${file}.checkpoint.json`)).toMatchObject({
      peopleDone: 0,
      finished: false,
      people: { count: 2_500 },
    });

    const resumed = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(resumed.code).toBe(0);
    const updates = updatesPerPerson(sandbox.cio.emulator);
    expect(updates.size).toBe(2_500);
    expect([...updates.values()].every((count) => count === 1)).toBe(true);
  });

  it('a second signal does not kill the run: it says what is in flight, waits for it, and saves the checkpoint', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 2_000, 500);
    const running = startCli(['backfill', file, ...sandbox.cio.flags, ...SLOW]);
    await waitForCheckpoint(`${file}.checkpoint.json`, (done) => done >= 20);
    // The next batch is held 2 s: a chunk is in flight when the signals come.
    sandbox.cio.emulator.faults.next({ match: { path: '/api/v2/batch' } }, { delayMs: 2_000 });
    await until(() => sandbox.cio.emulator.stats.faultsInjected === 1);
    running.child.kill('SIGTERM');
    await running.waitFor(/Stopping after the deliveries in flight/);
    running.child.kill('SIGINT');
    await running.waitFor(/Still stopping: waiting for 1 deliveries in flight/);
    expect(await exitOf(running)).toBe(1);
    expect(running.output()).toContain('interrupted');
    const { peopleDone } = await readCheckpoint(`${file}.checkpoint.json`);

    const resumed = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`${peopleDone} of 500 people already done`);
    const updates = updatesPerPerson(sandbox.cio.emulator);
    expect(updates.size).toBe(500);
    // The held chunk was acknowledged into the checkpoint before the exit: nobody is updated twice.
    expect([...updates.entries()].filter(([, count]) => count !== 1)).toEqual([]);
  });

  it('a third signal exits at once with 1, the checkpoint keeping what was acknowledged', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 2_000, 500);
    const running = startCli(['backfill', file, ...sandbox.cio.flags, ...SLOW]);
    await waitForCheckpoint(`${file}.checkpoint.json`, (done) => done >= 20);
    sandbox.cio.emulator.faults.next({ match: { path: '/api/v2/batch' } }, { delayMs: 5_000 });
    await until(() => sandbox.cio.emulator.stats.faultsInjected === 1);
    const acknowledged = (await readCheckpoint(`${file}.checkpoint.json`)).peopleDone;
    running.child.kill('SIGTERM');
    await running.waitFor(/Stopping after/);
    running.child.kill('SIGTERM');
    await running.waitFor(/Still stopping/);
    expect(await running.stop('SIGTERM')).toBe(1);
    expect(running.output()).toContain('Exiting now: saving the checkpoint');
    expect((await readCheckpoint(`${file}.checkpoint.json`)).peopleDone).toBe(acknowledged);

    const resumed = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(resumed.code).toBe(0);
    const updates = updatesPerPerson(sandbox.cio.emulator);
    expect(updates.size).toBe(500);
    // Only the chunk that was in flight can be sent twice.
    expect([...updates.values()].filter((count) => count !== 1).length).toBeLessThanOrEqual(10);
  });
});

describe('backfill: a delivery that throws', () => {
  it('no chunk starts after it; the chunks in flight are acknowledged into the checkpoint before the error; the resume completes', async () => {
    // 60 people, one row each, and a last row for person 30: cut off, only person 30's chunk fails to read.
    const file = join(sandbox.dir, 'history.ndjson');
    const body = (
      user: number,
      name: 'SUBSCRIPTION_STARTED' | 'SUBSCRIPTION_RENEWED',
      minute: number,
    ) =>
      JSON.stringify(
        purchaselyEvent(name, {
          user_id: `user-${user}`,
          purchasely_subscription_id: `subs-${user}`,
          event_created_at_ms: Date.UTC(2023, 0, 1) + minute * 60_000,
        }),
      );
    const lines = Array.from({ length: 60 }, (_, user) => body(user, 'SUBSCRIPTION_STARTED', user));
    const head = `${lines.join('\n')}\n`;
    const whole = `${head}${body(30, 'SUBSCRIPTION_RENEWED', 100)}\n`;
    await writeFile(file, whole);
    const running = startCli([
      'backfill',
      file,
      ...sandbox.cio.flags,
      '--chunk-size',
      '1',
      '--concurrency',
      '4',
      '--rate-limit',
      '10',
    ]);
    await waitForCheckpoint(`${file}.checkpoint.json`, (done) => done >= 1);
    await writeFile(file, head);
    expect(await exitOf(running)).toBe(1);
    expect(running.output()).toContain('is shorter than when it was read');
    expect((await readCheckpoint(`${file}.checkpoint.json`)).peopleDone).toBe(30);
    const updated = updatesPerPerson(sandbox.cio.emulator);
    for (let user = 0; user < 30; user++) expect(updated.get(`user-${user}`)).toBe(1);
    // Without the stop, the other workers went on through the 29 people after the failure.
    expect(updated.size).toBeLessThanOrEqual(30 + 4);

    await writeFile(file, whole);
    const resumed = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(resumed.code).toBe(0);
    const updates = updatesPerPerson(sandbox.cio.emulator);
    expect(updates.size).toBe(60);
    expect(sandbox.cio.emulator.people.get('user-30')?.attributes.last_event).toBe(
      'SUBSCRIPTION_RENEWED',
    );
  });
});

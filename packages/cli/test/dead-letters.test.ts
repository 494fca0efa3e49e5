import {
  createDeadLetters,
  type DeliveryWorker,
  startDeliveryWorker,
} from '@purchasely-customerio/redis';
import { createCustomerIoEmulator, purchaselyEvent } from '@purchasely-customerio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers.js';
import { REDIS_PASSWORD, receive, receivingBridge, startPasswordRedis } from './queue-fixture.js';
import { runCli } from './run-cli.js';

const QUEUE = 'dead-letter-queue';
/** Customer.io refusing a call for good: a 400 with its error body. */
const REFUSED = { status: 400, body: '{"meta":{"error":"refused"}}' };

describe('dead-letters: list, show, replay and drop over a real Redis', () => {
  let redis: Awaited<ReturnType<typeof startPasswordRedis>>;
  const emulator = createCustomerIoEmulator();
  let receiving: ReturnType<typeof receivingBridge>;
  let delivering: DeliveryWorker;
  let deadLetters: ReturnType<typeof createDeadLetters>;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    redis = await startPasswordRedis();
    receiving = receivingBridge(redis.options, QUEUE, { fetch: emulator.fetch });
    delivering = await startDeliveryWorker({
      bridge: receiving.bridge,
      connection: { ...redis.options, maxRetriesPerRequest: null },
      name: QUEUE,
      maxWaitMs: 20,
      onError: () => {},
    });
    deadLetters = createDeadLetters({
      connection: { ...redis.options, maxRetriesPerRequest: null },
      name: QUEUE,
    });
    // Customer.io refuses every call for good (400): each event becomes a dead letter at once.
    emulator.faults.random({ rate: 1, steps: [REFUSED] });
    const events = [
      purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: 'dl-1' }),
      purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: 'dl-2' }),
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'dl-3' }),
      purchaselyEvent('SUBSCRIPTION_TERMINATED', { user_id: 'dl-4' }),
    ];
    for (const event of events) {
      expect(await receive(receiving.bridge, event)).toBe(200);
      keys[event.user_id as string] = String(event.event_id);
    }
    await until(async () => (await deadLetters.count()) === 4);
    emulator.faults.clear();
  });
  afterAll(async () => {
    await delivering?.close();
    await deadLetters?.close();
    await receiving?.close();
    await redis?.server.stop();
  });

  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const result = await runCli(['dead-letters', ...args, '--queue', QUEUE], {
      env: { REDIS_URL: redis.url, ...env },
    });
    expect(result.stdout).not.toContain(REDIS_PASSWORD);
    expect(result.stderr).not.toContain(REDIS_PASSWORD);
    return result;
  };

  it('list: a table of key, event, reason, attempts, failed at; filters; --json', async () => {
    const table = await cli(['list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY +EVENT +REASON +ATTEMPTS +FAILED AT$/);
    expect(lines).toHaveLength(6);
    expect(table.stdout).toContain(keys['dl-3']);
    expect(lines.at(-1)).toBe('4 shown of 4 matching (all), 4 dead letters in all.');

    const started = await cli(['list', '--event', 'subscription_started', '--json']);
    const rows = started.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.map((row) => row.key).sort()).toEqual([keys['dl-1'], keys['dl-2']].sort());
    expect(rows[0]).toMatchObject({ eventName: 'SUBSCRIPTION_STARTED', attempts: 1 });
    expect(rows[0].reason).toMatch(/^customerio_rejected/);

    const future = await cli(['list', '--since', new Date(Date.now() + 60_000).toISOString()]);
    expect(future.stdout).toMatch(/^No dead letters match \(failed since .*\); 4 in all\.\n$/);
    const before = await cli([
      'list',
      '--until',
      String(Date.now() + 60_000),
      '--reason',
      'REJECTED',
    ]);
    expect(before.stdout).toContain('4 shown of 4 matching');
  });

  it('show: one in full, payload included; an unknown key exits 1', async () => {
    const shown = await cli(['show', keys['dl-3'] as string]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Event:            SUBSCRIPTION_RENEWED');
    expect(shown.stdout).toContain('"user_id": "dl-3"');
    const unknown = await cli(['show', 'no-such-key']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'No dead letter with key no-such-key.\n']);
  });

  it('replay with a filter: a bar on FORCE_TTY=1, the summary; the event reaches Customer.io', async () => {
    const replayed = await cli(['replay', '--event', 'SUBSCRIPTION_RENEWED'], { FORCE_TTY: '1' });
    expect(replayed.code).toBe(0);
    expect(replayed.stderr).toMatch(/[█░]+ 100% \| 1\/1 dead letters/);
    expect(replayed.stdout).toBe(
      'Replayed 1, skipped 0 (no longer dead letters); 1 matched (event SUBSCRIPTION_RENEWED) of 4.\n',
    );
    await until(() => emulator.events.some((event) => event.personId === 'dl-3'));
    expect(await deadLetters.count()).toBe(3);
  });

  it('replay on a pipe: plain progress lines, no bar; a key replays one', async () => {
    const replayed = await cli([
      'replay',
      '--event',
      'SUBSCRIPTION_TERMINATED,SUBSCRIPTION_STARTED',
      '--reason',
      'no-such-reason',
    ]);
    expect(replayed.stdout).toContain('Replayed 0, skipped 0');
    const one = await cli(['replay', keys['dl-4'] as string]);
    expect([one.code, one.stdout]).toEqual([0, `Replayed ${keys['dl-4']}.\n`]);
    await until(() => emulator.events.some((event) => event.personId === 'dl-4'));
    const plain = await cli([
      'replay',
      '--event',
      'SUBSCRIPTION_STARTED',
      '--since',
      '0',
      '--until',
      String(Date.now() + 60_000),
    ]);
    // One line at the start, then every 2 s, then the last one.
    const lines = plain.stderr.trimEnd().split('\n');
    expect(
      lines.every((line) =>
        /^progress: \d\/2 dead letters \(\d+%\), \d+\/s \| replayed \d, skipped 0$/.test(line),
      ),
    ).toBe(true);
    expect(lines.at(-1)).toMatch(
      /^progress: 2\/2 dead letters \(100%\), \d+\/s \| replayed 2, skipped 0$/,
    );
    expect(plain.stderr).not.toMatch(/[█░\r]/);
    await until(
      () => emulator.events.filter((event) => event.personId?.startsWith('dl-')).length === 4,
    );
  });

  it('drop: needs --yes or a key (exit 2 otherwise), then deletes what matches', async () => {
    // Two new dead letters to drop.
    emulator.faults.random({ rate: 1, steps: [REFUSED] });
    const a = purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: 'dl-5' });
    const b = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'dl-6' });
    await receive(receiving.bridge, a);
    await receive(receiving.bridge, b);
    await until(async () => (await deadLetters.count()) === 2);
    emulator.faults.clear();
    const unconfirmed = await cli(['drop', '--event', 'SUBSCRIPTION_STARTED']);
    expect([unconfirmed.code, unconfirmed.stderr]).toEqual([2, expect.stringContaining('--yes')]);
    // `all` is not a key that bypasses the confirmation.
    const allUnconfirmed = await cli(['drop', 'all']);
    expect([allUnconfirmed.code, allUnconfirmed.stderr]).toEqual([
      2,
      expect.stringContaining('--yes'),
    ]);
    expect(await deadLetters.count()).toBe(2);
    const byKey = await cli(['drop', String(b.event_id)]);
    expect([byKey.code, byKey.stdout]).toEqual([0, `Dropped ${b.event_id}.\n`]);
    const all = await cli(['drop', '--yes']);
    expect(all.stdout).toMatch(/^Dropped 1, skipped 0 .* of 1\.\n$/);
    expect(await deadLetters.count()).toBe(0);
    expect((await cli(['list'])).stdout).toBe('No dead letters.\n');
  });

  it('usage: an unknown action, show without a key, a key with filters, a bad time: exit 2', async () => {
    for (const args of [
      ['resend'],
      ['show'],
      ['replay', 'k', '--event', 'X'],
      ['list', '--since', 'yesterday'],
    ]) {
      const result = await cli(args);
      expect(result.code).toBe(2);
    }
  });
});

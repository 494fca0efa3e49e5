import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAST, updatesPerPerson, useSandbox } from './backfill-helpers.js';
import { runCli } from './run-cli.js';

const sandbox = useSandbox();

const HEADER =
  'user_id,anonymous_user_id,environment,store,product,plan,subscription_status,purchasely_subscription_id,store_original_transaction_id,purchased_at_ms,effective_next_renewal_at_ms,event_created_at_ms,plan_price_in_eur,is_family_shared,event_name';

describe('backfill <file>.csv', () => {
  it('one row per subscription becomes the webhook Purchasely would have sent: the same mapping, one update per person', async () => {
    const file = join(sandbox.dir, 'subscriptions.csv');
    const active = Date.UTC(2024, 0, 10);
    await writeFile(
      file,
      [
        HEADER,
        `u1,,PRODUCTION,APPLE_APP_STORE,PLUS,monthly,AUTO_RENEWING,subs-1,1000001,${active},${active + 30 * 86_400_000},${active},9.99,false,`,
        // Same person, an older subscription that ended: the person has one active subscription.
        `u1,,PRODUCTION,APPLE_APP_STORE,PLUS,yearly,DEACTIVATED,subs-0,1000000,${active - 400 * 86_400_000},,${active - 30 * 86_400_000},,,`,
        `"u,2",,PRODUCTION,GOOGLE_PLAY_STORE,PLUS,monthly,AUTO_RENEWING_CANCELED,subs-2,GPA.2,${active},${active + 86_400_000},${active},,,`,
        // An explicit event name wins over the status.
        `u3,,PRODUCTION,GOOGLE_PLAY_STORE,PLUS,monthly,AUTO_RENEWING,subs-3,GPA.3,${active},,${active},,,SUBSCRIPTION_RENEWED`,
        // Sandbox rows are skipped, as live sandbox webhooks are by default.
        `u4,,SANDBOX,GOOGLE_PLAY_STORE,PLUS,monthly,AUTO_RENEWING,subs-4,GPA.4,${active},,${active},,,`,
        // Bad rows fail, listed with why.
        `u5,,PRODUCTION,GOOGLE_PLAY_STORE,PLUS,monthly,AUTO_RENEWING,subs-5,GPA.5,yesterday,,${active},,,`,
        `u6,,PRODUCTION,GOOGLE_PLAY_STORE,PLUS,monthly,,subs-6,GPA.6,${active},,${active},,,`,
      ].join('\n'),
    );
    const result = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/rows read\s+7/);
    expect(result.stdout).toMatch(/people updated\s+3/);
    expect(result.stdout).toMatch(/skipped\s+1\s+sandbox 1/);
    expect(result.stdout).toMatch(/failed\s+2/);
    expect(updatesPerPerson(sandbox.cio.emulator)).toEqual(
      new Map([
        ['u1', 1],
        ['u,2', 1],
        ['u3', 1],
      ]),
    );
    expect(sandbox.cio.emulator.people.get('u1')?.attributes).toMatchObject({
      has_active_subscription: true,
      active_subscriptions: 1,
      plan: 'monthly',
      subscription_status: 'AUTO_RENEWING',
      last_event: 'SUBSCRIPTION_STARTED',
    });
    expect(sandbox.cio.emulator.people.get('u,2')?.attributes).toMatchObject({
      last_event: 'RENEWAL_DISABLED',
    });
    expect(sandbox.cio.emulator.people.get('u3')?.attributes).toMatchObject({
      last_event: 'SUBSCRIPTION_RENEWED',
    });
    const failed = (await readFile(`${file}.failed.ndjson`, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(failed).toEqual([
      expect.objectContaining({
        row: 7,
        reason: 'invalid_number',
        message: 'purchased_at_ms: not a number',
      }),
      expect.objectContaining({ row: 8, reason: 'missing_field' }),
    ]);
  });

  it('--events: a row gets a deterministic event id, so a rerun of the same CSV duplicates nothing', async () => {
    const file = join(sandbox.dir, 'subscriptions.csv');
    await writeFile(
      file,
      `${HEADER}\nu1,,PRODUCTION,APPLE_APP_STORE,PLUS,monthly,AUTO_RENEWING,subs-1,1,1704844800000,,1704844800000,,,\n`,
    );
    await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST, '--events']);
    await runCli([
      'backfill',
      file,
      ...sandbox.cio.flags,
      ...FAST,
      '--events',
      '--checkpoint',
      join(sandbox.dir, 'again.json'),
    ]);
    expect(sandbox.cio.emulator.events).toHaveLength(1);
    expect(sandbox.cio.emulator.stats.duplicateEvents).toBe(1);
    expect(sandbox.cio.emulator.events[0]).toMatchObject({
      name: 'SUBSCRIPTION_STARTED',
      timestamp: 1704844800,
    });
  });

  it('--failed of a CSV run is input again: a row that gave no body is listed with its cells, fixed there, and sent', async () => {
    const file = join(sandbox.dir, 'subscriptions.csv');
    const active = Date.UTC(2024, 0, 10);
    await writeFile(
      file,
      [
        HEADER,
        `u1,,PRODUCTION,APPLE_APP_STORE,PLUS,monthly,AUTO_RENEWING,subs-1,1000001,${active},,${active},,,`,
        `u5,,PRODUCTION,GOOGLE_PLAY_STORE,PLUS,monthly,AUTO_RENEWING,subs-5,GPA.5,yesterday,,${active},,,`,
      ].join('\n'),
    );
    const failedPath = `${file}.failed.ndjson`;
    expect((await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST])).code).toBe(1);
    const [failure] = (await readFile(failedPath, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(failure).toMatchObject({ row: 3, reason: 'invalid_number', record: { user_id: 'u5' } });
    expect(failure.body).toBeUndefined();

    // Still wrong: it fails again, with the same reason and its cells.
    const again = await runCli(['backfill', failedPath, ...sandbox.cio.flags, ...FAST]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('row 1: invalid_number: purchased_at_ms: not a number');

    failure.record.purchased_at_ms = String(active);
    const fixed = join(sandbox.dir, 'fixed.ndjson');
    await writeFile(fixed, `${JSON.stringify(failure)}\n`);
    const result = await runCli(['backfill', fixed, ...sandbox.cio.flags, ...FAST]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/people updated\s+1/);
    expect(sandbox.cio.emulator.people.get('u5')?.attributes).toMatchObject({
      has_active_subscription: true,
      plan: 'monthly',
      last_event: 'SUBSCRIPTION_STARTED',
    });
  });

  it('a header without the required columns fails before anything is sent', async () => {
    const file = join(sandbox.dir, 'subscriptions.csv');
    await writeFile(file, 'user_id,plan\nu1,monthly\n');
    const result = await runCli(['backfill', file, ...sandbox.cio.flags, ...FAST]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'the CSV header lacks environment, event_created_at_ms or event_created_at',
    );
    expect(sandbox.cio.emulator.requests).toHaveLength(0);
  });
});

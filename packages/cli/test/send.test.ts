import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPurchaselyBridge } from '@purchasely-customerio/core';
import { createCustomerIoEmulator, purchaselyEvent } from '@purchasely-customerio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveBridge } from './helpers.js';
import { runCli } from './run-cli.js';

const SECRET = 'whsec_cli_send_secret_never_printed';

describe('send: a signed webhook to a running bridge, which delivers it to the emulator', () => {
  const emulator = createCustomerIoEmulator();
  let bridgeServer: Awaited<ReturnType<typeof serveBridge>>;
  let customerioUrl = '';
  const dir = mkdtempSync(join(tmpdir(), 'cli-send-'));
  beforeAll(async () => {
    const customerio = await emulator.listen();
    customerioUrl = customerio.url;
    bridgeServer = await serveBridge(
      createPurchaselyBridge({
        webhookSecret: SECRET,
        customerio: {
          siteId: 'test-site',
          apiKey: 'test-key',
          region: 'us',
          baseUrl: customerio.url,
        },
        logger: false,
      }),
    );
  });
  afterAll(async () => {
    await bridgeServer?.close();
  });
  const noSecret = (result: { stdout: string; stderr: string }) => {
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stderr).not.toContain(SECRET);
  };

  it('--sample: a generated event, signed with the secret from the environment; prints the answer, exits 0', async () => {
    const result = await runCli(
      [
        'send',
        '--sample',
        'SUBSCRIPTION_STARTED',
        '--user-id',
        'cli-user-1',
        '--url',
        bridgeServer.url,
      ],
      { env: { PURCHASELY_WEBHOOK_SECRET: SECRET } },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^HTTP 200 OK\n\{.*"status":"forwarded"/);
    expect(emulator.people.get('cli-user-1')).toBeDefined();
    expect(emulator.events.some((event) => event.personId === 'cli-user-1')).toBe(true);
    noSecret(result);
  });

  it('a payload file, byte for byte, with --secret; and the same from stdin', async () => {
    const path = join(dir, 'event.json');
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'cli-user-2' });
    writeFileSync(path, JSON.stringify(event, null, 2));
    const fromFile = await runCli(['send', path, '--url', bridgeServer.url, '--secret', SECRET]);
    expect(fromFile.stderr).toBe('');
    expect(fromFile.code).toBe(0);
    noSecret(fromFile);
    const again = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'cli-user-3' });
    const fromStdin = await runCli(['send', '-', '--url', bridgeServer.url, '--secret', SECRET], {
      stdin: JSON.stringify(again),
    });
    expect(fromStdin.code).toBe(0);
    expect(emulator.people.get('cli-user-2')).toBeDefined();
    expect(emulator.people.get('cli-user-3')).toBeDefined();
  });

  it('flag values that look like numbers are kept as typed (a secret of digits, a numeric user id)', async () => {
    const digits = createPurchaselyBridge({
      webhookSecret: '007',
      customerio: {
        siteId: 'test-site',
        apiKey: 'test-key',
        region: 'us',
        baseUrl: customerioUrl,
      },
      logger: false,
    });
    const server = await serveBridge(digits);
    try {
      const result = await runCli([
        'send',
        '--sample',
        'SUBSCRIPTION_STARTED',
        '--user-id',
        '00912345678901234567',
        '--url',
        server.url,
        '--secret=007',
      ]);
      expect(result.stdout).toMatch(/^HTTP 200 OK/);
      expect(result.code).toBe(0);
      expect(emulator.people.get('00912345678901234567')).toBeDefined();
    } finally {
      await server.close();
    }
  });

  it('a wrong secret: the route answers 401, printed with its body; exit 1', async () => {
    const result = await runCli([
      'send',
      '--sample',
      'SUBSCRIPTION_STARTED',
      '--url',
      bridgeServer.url,
      '--secret',
      'not-the-secret',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^HTTP 401 /);
    expect(result.stdout).toContain('signature');
  });

  it('nothing listening: says so on stderr, exit 1', async () => {
    const result = await runCli(
      ['send', '--sample', 'SUBSCRIPTION_STARTED', '--url', 'http://127.0.0.1:1/x'],
      {
        env: { PURCHASELY_WEBHOOK_SECRET: SECRET },
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Could not POST to http://127.0.0.1:1/x');
    noSecret(result);
  });

  it('usage mistakes exit 2: no --url, no secret, an unknown sample, a file that is not JSON', async () => {
    const env = { PURCHASELY_WEBHOOK_SECRET: SECRET };
    const noUrl = await runCli(['send', '--sample', 'SUBSCRIPTION_STARTED'], { env });
    expect([noUrl.code, noUrl.stderr]).toEqual([2, expect.stringContaining('--url is missing')]);
    const noSecretGiven = await runCli(
      ['send', '--sample', 'SUBSCRIPTION_STARTED', '--url', bridgeServer.url],
      {
        env: { PURCHASELY_WEBHOOK_SECRET: undefined },
      },
    );
    expect(noSecretGiven.code).toBe(2);
    expect(noSecretGiven.stderr).toContain('PURCHASELY_WEBHOOK_SECRET');
    const unknown = await runCli(['send', '--sample', 'NOPE', '--url', bridgeServer.url], { env });
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('--list-samples')]);
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ nope');
    const broken = await runCli(['send', path, '--url', bridgeServer.url], { env });
    expect([broken.code, broken.stderr]).toEqual([2, expect.stringContaining('is not JSON')]);
    // A URL's credentials are refused and never echoed, whether or not it parses.
    for (const url of ['http://ops:hunter2-pass@127.0.0.1:9/hook', 'not a url hunter2-pass']) {
      const withCredentials = await runCli(['send', '--sample', 'ACTIVATE', '--url', url], { env });
      expect(withCredentials.code).toBe(2);
      expect(`${withCredentials.stdout}${withCredentials.stderr}`).not.toContain('hunter2-pass');
    }
  });

  it('--list-samples lists the event names, marking those Purchasely publishes a sample of', async () => {
    const result = await runCli(['send', '--list-samples']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(42);
    expect(lines).toContain('SUBSCRIPTION_STARTED\tpublished');
    expect(lines).toContain('TRIAL_STARTED');
    expect(lines.filter((line) => line.endsWith('\tpublished'))).toHaveLength(7);
  });

  it("--sample of a published event sends Purchasely's published payload, with a fresh event_id each time", async () => {
    const published = JSON.parse(
      readFileSync(new URL('../src/samples/transaction-processed.json', import.meta.url), 'utf8'),
    ) as {
      event_id: string;
      user_id: string;
      purchasely_subscription_id: string;
      event_created_at_ms: number;
    };
    const env = { PURCHASELY_WEBHOOK_SECRET: SECRET };
    const args = ['send', '--sample', 'TRANSACTION_PROCESSED', '--url', bridgeServer.url];
    const first = await runCli(args, { env });
    const second = await runCli(args, { env });
    expect([first.code, second.code]).toEqual([0, 0]);
    const ids = [first, second].map(
      (result) =>
        (JSON.parse(result.stdout.split('\n')[1] as string) as { event_id: string }).event_id,
    );
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids).not.toContain(published.event_id);
    for (const result of [first, second]) expect(result.stdout).toContain('"status":"forwarded"');
    expect(emulator.people.get(published.user_id)).toBeDefined();
    // Its own fields, not a generated event's: the published subscription id and event time.
    const sent = emulator.events.filter((event) => event.name === 'TRANSACTION_PROCESSED');
    expect(sent).toHaveLength(2);
    for (const event of sent) {
      expect(JSON.stringify(event.data)).toContain(published.purchasely_subscription_id);
      expect(event.timestamp).toBe(Math.floor(published.event_created_at_ms / 1000));
    }
  });
});

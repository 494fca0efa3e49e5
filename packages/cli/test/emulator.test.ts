import { createCustomerIoClient } from '@purchasely-customerio/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './run-cli.js';

const KEY = 'cio_key_for_the_emulator_never_printed';

describe('emulator: a local Customer.io', () => {
  let running: RunningCli | undefined;
  afterEach(async () => {
    await running?.stop('SIGKILL');
    running = undefined;
  });

  it('prints its URL and env lines, one line per request (no key, no body), stops on SIGTERM with exit 0', async () => {
    running = startCli(['emulator', '--port', '0', '--site-id', 'dev-site', '--region', 'eu'], {
      env: { CUSTOMERIO_API_KEY: KEY },
    });
    await running.waitFor(/Ctrl-C stops/);
    const url = running.output().match(/CUSTOMERIO_BASE_URL=(http:\/\/127\.0\.0\.1:\d+)\n/)?.[1];
    expect(running.output()).toContain('CUSTOMERIO_SITE_ID=dev-site');
    expect(running.output()).toContain('CUSTOMERIO_REGION=eu');
    const client = createCustomerIoClient({
      siteId: 'dev-site',
      apiKey: KEY,
      region: 'eu',
      baseUrl: url as string,
      rateLimit: false,
    });
    await client.getRegion();
    await client.batch([
      {
        type: 'person',
        identifiers: { id: 'p1' },
        action: 'identify',
        attributes: { plan: 'gold' },
      },
      {
        type: 'person',
        identifiers: { id: 'p1' },
        action: 'event',
        name: 'started',
        attributes: {},
      },
    ]);
    await running.waitFor(/POST \/api\/v2\/batch 200 2 operations \(site dev-site\)/);
    expect(running.output()).toMatch(/GET \/api\/v1\/accounts\/region 200 0 operations/);
    // A wrong key is answered 401, and logged as such.
    const wrong = await fetch(`${url}/api/v1/customers/p2`, {
      method: 'PUT',
      headers: {
        authorization: `Basic ${btoa('dev-site:wrong')}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    await running.waitFor(/PUT \/api\/v1\/customers\/p2 401 1 operation \(no workspace\)/);
    expect(await running.stop('SIGTERM')).toBe(0);
    expect(running.output()).toMatch(/Stopped \(SIGTERM\): 3 requests, 1 person, 1 event/);
    expect(running.output()).not.toContain(KEY);
    expect(running.output()).not.toContain('gold');
  });

  it('SIGINT stops it too; a bad --region is a usage error (exit 2)', async () => {
    running = startCli(['emulator', '--port', '0']);
    await running.waitFor(/Ctrl-C stops/);
    expect(running.output()).toContain('CUSTOMERIO_API_KEY=test-key');
    expect(await running.stop('SIGINT')).toBe(0);
    const bad = startCli(['emulator', '--region', 'mars']);
    expect(await bad.stop('SIGCONT')).toBe(2);
    expect(bad.output()).toContain('--region must be us or eu');
  });
});

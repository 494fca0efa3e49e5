/**
 * The `purchasely-customerio` command as npm installs it: packs core, redis, testing and cli, installs the
 * tarballs with npm into a scratch project in the OS temp dir (no workspace `node_modules` can leak in), and
 * runs the installed bin: its help, a generated sample, and the emulator started and stopped. Proves the
 * command's runtime dependencies are declared (a missing one only shows outside the workspace).
 * Needs `pnpm build` first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mustRun, packBuilt, run, start } from './processes.js';

const PACKAGES = ['core', 'redis', 'testing', 'cli'] as const;

let scratch = '';
let bin = '';

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'purchasely-customerio-command-'));
  const packed = await packBuilt(PACKAGES, join(scratch, 'tarballs'));
  const tarball = (dir: (typeof PACKAGES)[number]) => packed[dir];
  await writeFile(
    join(scratch, 'package.json'),
    `${JSON.stringify(
      {
        name: 'purchasely-customerio-command-scratch',
        version: '0.0.0',
        private: true,
        dependencies: { [tarball('cli').name]: `file:${tarball('cli').filename}` },
        // The workspace packages may not be on the registry (yet): the tarballs, wherever they are asked for.
        overrides: Object.fromEntries(
          PACKAGES.filter((dir) => dir !== 'cli').map((dir) => [
            tarball(dir).name,
            `file:${tarball(dir).filename}`,
          ]),
        ),
      },
      null,
      2,
    )}\n`,
  );
  await mustRun(
    'npm install',
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error'],
    scratch,
    240_000,
  );
  bin = join(scratch, 'node_modules', '.bin', 'purchasely-customerio');
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the purchasely-customerio command, installed from its tarball', () => {
  it('prints its help through the installed bin', async () => {
    const ran = await run(bin, ['--help'], scratch);
    expect(ran.code, ran.stderr).toBe(0);
    for (const command of ['emulator', 'send', 'verify', 'worker', 'dead-letters']) {
      expect(ran.stdout).toContain(command);
    }
  });

  it('lists the samples it can send', async () => {
    const ran = await run(bin, ['send', '--list-samples'], scratch);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('SUBSCRIPTION_STARTED');
  });

  it('runs the emulator (its msw and testing dependencies resolve) and stops it on SIGTERM', async () => {
    const child = start(bin, ['emulator', '--port', '0'], scratch);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 30_000);
      const check = () => {
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', check);
      child.on('close', () => reject(new Error(`exited before listening:\n${output}`)));
    });
    const answer = await fetch(`${url}/api/v2/batch`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(401); // no credentials: the emulator answers as Customer.io does
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
  });
});

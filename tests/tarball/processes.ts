/**
 * Child processes for the tarball suites: npm, tsc, node and the installed bin, run outside the workspace's
 * influence (no npm_config_*, NODE_OPTIONS or vitest variables, no Customer.io or Purchasely settings).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without what must not steer npm, node or the command under test. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_)/i.test(key) || key === 'NODE_OPTIONS' || key.startsWith('VITEST')) continue;
    if (key.startsWith('CUSTOMERIO_') || key.startsWith('PURCHASELY_')) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0' };
}

/** Starts a long-running child (a server), its output piped. */
export function start(command: string, args: string[], cwd: string): ChildProcess {
  return spawn(command, args, {
    cwd,
    env: cleanEnv(),
    shell: process.platform === 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a child to its end (killed after `timeoutMs`). */
export function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs = 60_000,
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = start(command, args, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function describeRun(label: string, ran: Ran): string {
  return `${label} exited ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

/** Runs a child and throws (with its output) unless it exits 0. */
export async function mustRun(
  label: string,
  command: string,
  args: string[],
  cwd: string,
  timeoutMs?: number,
): Promise<Ran> {
  const ran = await run(command, args, cwd, timeoutMs);
  if (ran.code !== 0) throw new Error(describeRun(label, ran));
  return ran;
}

/** What `pnpm pack --json` says of a tarball. */
export interface Packed {
  name: string;
  version: string;
  filename: string;
  files: Array<{ path: string }>;
}

/**
 * Packs built workspace packages (`packages/<dir>`, `pnpm build` first) into `destination`, as they would be
 * published: `workspace:` ranges become real ones.
 */
export async function packBuilt<Dir extends string>(
  dirs: readonly Dir[],
  destination: string,
): Promise<Record<Dir, Packed>> {
  for (const dir of dirs) {
    const exists = await stat(join(repoRoot, 'packages', dir, 'dist')).catch(() => undefined);
    if (!exists) throw new Error(`packages/${dir}/dist is missing: run \`pnpm build\` first`);
  }
  await mkdir(destination, { recursive: true });
  const packed = {} as Record<Dir, Packed>;
  await Promise.all(
    dirs.map(async (dir) => {
      const ran = await mustRun(
        `pnpm pack (${dir})`,
        'pnpm',
        ['pack', '--json', '--pack-destination', destination],
        join(repoRoot, 'packages', dir),
      );
      packed[dir] = JSON.parse(ran.stdout.slice(ran.stdout.indexOf('{'))) as Packed;
    }),
  );
  return packed;
}

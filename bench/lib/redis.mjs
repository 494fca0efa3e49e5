/**
 * A redis-server of the bench's own: a free loopback port, a temporary directory, AOF on (appendfsync
 * everysec, as a production queue would run), removed on stop. `redisCommand` sends one command over a
 * raw socket (FLUSHALL between runs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './common.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Sends one inline command and resolves with the first line of the reply ('' when unreachable). */
export function redisCommand(port, command) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve('');
    });
    socket.once('error', () => resolve(''));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString().split('\r\n')[0]);
    });
  });
}

export async function startRedis() {
  const binary =
    ['redis-server', '/usr/bin/redis-server', '/usr/local/bin/redis-server'].find(
      (candidate) => spawnSync(candidate, ['--version']).status === 0,
    ) ?? null;
  if (binary === null)
    throw new Error(
      'redis-server not found: install Redis (Debian/Ubuntu: apt-get install -y redis-server) for the queue sections',
    );
  const version = /v=(\S+)/.exec(spawnSync(binary, ['--version']).stdout.toString())?.[1];
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const child = spawn(
    binary,
    [
      ...['--port', `${port}`, '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
      ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--daemonize', 'no', '--logfile', ''],
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while ((await redisCommand(port, 'PING')) !== '+PONG') {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await sleep(25);
  }
  return {
    port,
    description: `redis-server ${version ?? ''}, AOF on (appendfsync everysec)`.replace('  ', ' '),
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

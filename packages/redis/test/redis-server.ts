import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Real `redis-server` processes for the tests: no mocks. {@link findOrInstallRedisServer} finds the binary
 * (installing Debian's package when it can), {@link startRedisServer} runs one on a free loopback port in
 * a temporary directory and stops it by PID.
 */

const INSTALL_HINT =
  'redis-server not found: install Redis (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or put redis-server on PATH';

function onPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

function aptInstall(): void {
  // RUNLEVEL=1 keeps the package's init script from starting a system Redis on 6379: we start our own.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' };
  const install = () =>
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], {
      env,
      stdio: 'pipe',
    });
  try {
    install();
  } catch {
    // A fresh image has no package lists yet.
    execFileSync('apt-get', ['update'], { env, stdio: 'pipe' });
    install();
  }
}

let found: string | undefined;

/**
 * The path of `redis-server`: on PATH, else installed with apt-get when running as root on Debian or
 * Ubuntu, else an Error with one line saying what to install. Never a skip.
 */
export function findOrInstallRedisServer(): string {
  found ??= onPath('redis-server');
  if (found !== undefined) return found;
  const canApt =
    process.platform === 'linux' &&
    process.getuid?.() === 0 &&
    existsSync('/etc/debian_version') &&
    onPath('apt-get') !== undefined;
  if (canApt) {
    try {
      aptInstall();
    } catch (error) {
      throw new Error(`${INSTALL_HINT} (apt-get install failed: ${String(error).split('\n')[0]})`);
    }
    found = onPath('redis-server');
  }
  if (found === undefined) throw new Error(INSTALL_HINT);
  return found;
}

export interface RedisServer {
  host: string;
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  pid: number;
  dir: string;
  /** SIGTERM, then SIGKILL after 5 s; removes the directory. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a `redis-server` of its own on a free loopback port, in a temporary directory, without
 * persistence unless `args` asks for it (e.g. `['--appendonly', 'yes']`, or `['--cluster-enabled', 'yes']`).
 * Resolves once it answers PING.
 */
export async function startRedisServer(args: string[] = []): Promise<RedisServer> {
  const binary = findOrInstallRedisServer();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'purchasely-redis-'));
    const child = spawn(
      binary,
      [
        '--port',
        `${port}`,
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--logfile',
        '',
        ...args,
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.add(child);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let exitedEarly = false;
    void exited.then(() => {
      exitedEarly = true;
      running.delete(child);
    });
    const stop = async () => {
      if (!exitedEarly && child.pid !== undefined) {
        process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => child.pid !== undefined && child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 10_000;
    while (!exitedEarly && Date.now() < deadline && !(await ping(port))) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (!exitedEarly && Date.now() < deadline) {
      return {
        host: '127.0.0.1',
        port,
        url: `redis://127.0.0.1:${port}`,
        pid: child.pid!,
        dir,
        stop,
      };
    }
    await stop();
    lastError = new Error(`redis-server did not start on port ${port}: ${output.trim()}`);
  }
  throw lastError;
}

/**
 * A one-node Redis Cluster: cluster mode on, all 16,384 slots on this node. Enough for real cluster
 * clients and the server's cross-slot checks.
 */
export async function startRedisCluster(): Promise<RedisServer> {
  const server = await startRedisServer([
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    // Alone, a node does not learn its own address, and would announce an empty one to clients.
    '--cluster-announce-ip',
    '127.0.0.1',
  ]);
  const cli = (...command: string[]) =>
    execFileSync(
      onPath('redis-cli') ?? 'redis-cli',
      ['-h', server.host, '-p', `${server.port}`, ...command],
      {
        encoding: 'utf8',
      },
    );
  cli('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  const deadline = Date.now() + 10_000;
  while (!cli('CLUSTER', 'INFO').includes('cluster_state:ok')) {
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error('the one-node Redis Cluster did not reach cluster_state:ok');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return server;
}

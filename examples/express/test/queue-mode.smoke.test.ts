/**
 * The example server in queue mode, as deployed: `src/server.ts` (and `src/worker.ts`) run as real processes
 * with tsx, a real `redis-server`, and the Customer.io emulator served on loopback. Needs the packages built.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type CustomerIoEmulator,
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../packages/redis/test/redis-server.js';

const SECRET = 'whsec_example_smoke';
const REDIS_PASSWORD = 'smoke-redis-password';
/** The server's start-up lines, up to the delivery mode (the last one); captures the port. */
const SERVER_READY = /POST http:\/\/localhost:(\d+)\/[\s\S]*Delivery: [^\n]*\n/;
const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));

interface Running {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** The `ready` line's match. */
  match: RegExpMatchArray;
}

const children = new Set<ChildProcess>();

/** Runs `src/<entry>.ts` with tsx; resolves once a stdout line matches `ready`. */
async function run(entry: string, env: Record<string, string>, ready: RegExp): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', `src/${entry}.ts`], {
    cwd: EXAMPLE,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = output.match(ready);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output, exited, match };
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function post(port: string, body: object) {
  const webhook = await signedPurchaselyWebhook({ secret: SECRET, body: body as never });
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/purchasely`, {
    method: 'POST',
    ...webhook,
  });
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown>,
    ms: performance.now() - started,
  };
}

describe('the Express example in queue mode, on a real Redis, against the emulator', () => {
  let redis: RedisServer;
  let emulator: CustomerIoEmulator;
  let loopback: LoopbackServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    // A user with a password, as in production (the harness's own PING uses the default user).
    redis = await startRedisServer([
      ...['--appendonly', 'yes', '--appendfsync', 'everysec'],
      ...['--user', 'default', 'on', 'nopass', '~*', '&*', '+@all'],
      ...['--user', 'bridge', 'on', `>${REDIS_PASSWORD}`, '~*', '&*', '+@all'],
    ]);
    emulator = createCustomerIoEmulator({
      workspaces: [{ siteId: 'smoke-site', apiKey: 'smoke-key', region: 'us' }],
    });
    loopback = await emulator.listen();
    env = {
      PURCHASELY_WEBHOOK_SECRET: SECRET,
      CUSTOMERIO_SITE_ID: 'smoke-site',
      CUSTOMERIO_API_KEY: 'smoke-key',
      CUSTOMERIO_BASE_URL: loopback.url,
      REDIS_URL: `redis://bridge:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`,
      DELIVERY_MODE: 'queue',
      PORT: '0',
    };
  });
  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await loopback?.close();
    await redis?.stop();
  });

  it('WORKER=inline: a signed webhook is answered 200 queued, reaches Customer.io, and SIGTERM exits 0', async () => {
    const server = await run('server', env, SERVER_READY);
    const port = server.match[1] as string;
    expect(server.output()).toContain('worker in this process');
    expect(server.output()).toContain(`Delivery: queue in Redis (redis://127.0.0.1:${redis.port})`);
    expect(server.output()).not.toContain(REDIS_PASSWORD);

    const answer = await post(
      port,
      purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: 'smoke-inline' }),
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'queued' });
    await until(() => emulator.people.has('smoke-inline'));
    expect(emulator.events.filter((event) => event.personId === 'smoke-inline')).toHaveLength(1);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('WORKER=separate: the server only queues; pnpm worker delivers; both stop on SIGTERM', async () => {
    const server = await run('server', { ...env, WORKER: 'separate' }, SERVER_READY);
    const port = server.match[1] as string;
    expect(server.output()).toContain('no worker here');
    const answers = [];
    for (let i = 0; i < 5; i++) {
      answers.push(
        await post(
          port,
          purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `smoke-separate-${i}` }),
        ),
      );
    }
    expect(answers.map((answer) => `${answer.status} ${answer.json.status}`)).toEqual(
      Array(5).fill('200 queued'),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(emulator.people.has('smoke-separate-0')).toBe(false);

    const worker = await run('worker', env, /Delivery worker: /);
    await until(() => [0, 1, 2, 3, 4].every((i) => emulator.people.has(`smoke-separate-${i}`)));

    worker.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await server.exited).toBe(0);
  });
});

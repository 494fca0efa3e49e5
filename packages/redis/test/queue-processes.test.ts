import { type ChildProcess, fork, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type CustomerIoEmulator,
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BullMqDeliveryQueue, createBullMqQueue } from '../src/index.js';
import { sleep } from './clients.js';
import type { NodeConfig, NodeMessage } from './fixtures/queue-node.js';
import { findOrInstallRedisServer, type RedisServer, startRedisServer } from './redis-server.js';

// Separate OS processes: two receiving servers (Express + purchaselyWebhook, queue mode), two delivery
// workers, one redis-server (AOF, fsync always), the Customer.io emulator over loopback in this process.
const fixture = fileURLToPath(new URL('./fixtures/queue-node.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'whsec_queue_processes_test';
const RETRY = { baseDelayMs: 100, maxDelayMs: 400, horizonMs: 120_000 };
const NAMES = ['SUBSCRIPTION_STARTED', 'SUBSCRIPTION_RENEWED', 'SUBSCRIPTION_TERMINATED'] as const;
const REDIS_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always'];

interface Node {
  child: ChildProcess;
  url?: string;
  /** Batches this worker has sent to deliver() and not seen settled. */
  inFlight: number;
}

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'a condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString().startsWith('+PONG'));
    });
  });
}

describe('queue mode across processes: 2 Express servers, 2 workers, 1 redis-server, Customer.io on loopback', () => {
  let redis: RedisServer;
  /** A redis-server restarted by the test on the same port and directory (the AOF). */
  let restarted: ChildProcess | undefined;
  let emulator: CustomerIoEmulator;
  let cio: LoopbackServer;
  let inspect: BullMqDeliveryQueue;
  const started: ChildProcess[] = [];
  let servers: Node[] = [];
  let workers: Node[] = [];
  const queueName = `q-${crypto.randomUUID()}`;

  function startNode(role: NodeConfig['role']): Promise<Node> {
    const config: NodeConfig = {
      role,
      redisPort: redis.port,
      queueName,
      prefix: `${queueName}:`,
      secret: SECRET,
      customerioUrl: cio.url,
      retry: RETRY,
      batchSize: 10,
      maxWaitMs: 50,
      // A killed worker's jobs are taken back within ~3 s, and may be taken back more than once.
      workerOptions: { lockDuration: 2_000, stalledInterval: 1_000, maxStalledCount: 3 },
    };
    const child = fork(fixture, [JSON.stringify(config)], {
      cwd: packageRoot,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    started.push(child);
    const node: Node = { child, inFlight: 0 };
    return new Promise((resolve, reject) => {
      child.once('exit', (code, signal) =>
        reject(new Error(`${role} exited with ${code ?? signal} before it was ready`)),
      );
      child.on('message', (message: NodeMessage) => {
        if (message.type === 'ready') {
          if (message.url) node.url = message.url;
          resolve(node);
        } else if (message.type === 'delivering') node.inFlight++;
        else if (message.type === 'delivered') node.inFlight--;
      });
    });
  }

  beforeAll(async () => {
    redis = await startRedisServer(REDIS_ARGS);
    emulator = createCustomerIoEmulator();
    cio = await emulator.listen();
    inspect = createBullMqQueue({
      connection: { host: redis.host, port: redis.port, maxRetriesPerRequest: null },
      name: queueName,
    });
    [servers, workers] = await Promise.all([
      Promise.all([startNode('server'), startNode('server')]),
      Promise.all([startNode('worker'), startNode('worker')]),
    ]);
    // Warm-up: each server's first webhook creates its BullMQ queue and loads its scripts; the latencies
    // measured below are those of servers already serving.
    const warmUp = await Promise.all(
      servers.map((_, index) =>
        post(index, purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: `warm-up-${index}` })),
      ),
    );
    console.log(
      `[warm-up] first webhook per server: ${warmUp.map((answer) => `${answer.status} in ${answer.ms.toFixed(0)} ms`).join(', ')}`,
    );
    await until(() => emulator.events.length === servers.length, 20_000, 'the warm-up events');
  }, 60_000);

  afterAll(async () => {
    // By PID, whatever happened in the tests.
    for (const child of started) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {}
      }
    }
    await inspect?.close().catch(() => {});
    if (restarted?.pid !== undefined && restarted.exitCode === null) {
      try {
        process.kill(restarted.pid, 'SIGKILL');
      } catch {}
    }
    await cio?.close();
    await redis?.stop();
    if (redis) rmSync(redis.dir, { recursive: true, force: true });
  });

  async function post(index: number, body: object) {
    const webhook = await signedPurchaselyWebhook({ secret: SECRET, body: body as never });
    const server = servers[index % servers.length]!;
    const startedAt = performance.now();
    const response = await fetch(server.url!, {
      method: 'POST',
      headers: webhook.headers,
      body: webhook.body,
    });
    const text = await response.text();
    let outcome = text;
    try {
      outcome = (JSON.parse(text) as { status: string }).status;
    } catch {}
    return { status: response.status, outcome, ms: performance.now() - startedAt };
  }

  const pending = async () => {
    const counts = await (await inspect.queue()).getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'failed',
    );
    return counts;
  };
  const drained = async () => {
    const counts = await pending();
    return (
      counts.waiting === 0 &&
      counts.active === 0 &&
      counts.delayed === 0 &&
      counts.prioritized === 0
    );
  };
  const eventsOf = (personId: string) =>
    emulator.events.filter((event) => event.personId === personId);

  it('Customer.io down: every webhook to either server answered 200 queued; after recovery each event once, people at their newest state', async () => {
    emulator.reset();
    emulator.faults.random({ rate: 1, steps: [{ status: 503 }] });
    const run = crypto.randomUUID().slice(0, 8);
    const base = Date.now() - 3_600_000;
    // 20 people, 3 events each; which event is newest differs per person, and half arrive newest first.
    const people = Array.from({ length: 20 }, (_, u) => `down-${run}-${u}`);
    const byPerson = people.map((user, u) =>
      [0, 1, 2].map((k) =>
        purchaselyEvent(NAMES[(k + u) % 3]!, {
          user_id: user,
          purchasely_subscription_id: `subs-${user}`,
          event_created_at_ms: base + k * 60_000,
        }),
      ),
    );
    // Round r sends each person's r-th event (their newest first for odd people): consecutive webhooks
    // are different people, and each person's events go to both servers.
    const arrival = [0, 1, 2].flatMap((r) =>
      byPerson.map((events, u) => events[u % 2 === 0 ? r : 2 - r]!),
    );
    const answers = [];
    for (const [index, body] of arrival.entries()) answers.push(await post(index, body));
    expect(answers.map((answer) => `${answer.status} ${answer.outcome}`)).toEqual(
      answers.map(() => '200 queued'),
    );
    const ms = answers.map((answer) => answer.ms);
    console.log(
      `[down] ${answers.length} webhooks answered 200 queued while Customer.io answered 503: p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms`,
    );
    expect(Math.max(...ms)).toBeLessThan(2_000);

    await sleep(1_500);
    expect(emulator.events).toHaveLength(0);
    const duringOutage = emulator.requests.length;
    expect(duringOutage).toBeGreaterThan(0);
    expect(emulator.requests.every((request) => request.status === 503)).toBe(true);

    emulator.faults.clear();
    const recoveredAt = performance.now();
    await until(() => emulator.events.length >= 60, 30_000, '60 events in Customer.io');
    await until(drained, 10_000, 'the queue to drain');
    const drainMs = performance.now() - recoveredAt;
    await sleep(300);
    const ids = emulator.events.map((event) => event.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    for (const [u, user] of people.entries()) {
      expect(
        eventsOf(user)
          .map((event) => event.name)
          .sort(),
      ).toHaveLength(3);
      // The newest event (k = 2) of person u is NAMES[(2 + u) % 3].
      expect(emulator.people.get(user)?.attributes, user).toMatchObject({
        last_event: NAMES[(2 + u) % 3],
      });
    }
    expect((await pending()).failed).toBe(0);
    console.log(
      `[down] Customer.io requests: ${duringOutage} refused during the outage, ${emulator.requests.length - duringOutage} after; drained ${drainMs.toFixed(0)} ms after recovery; duplicates ignored by Customer.io: ${emulator.stats.duplicateEvents}`,
    );
  }, 60_000);

  it('a worker SIGKILLed with a batch in flight: the other worker delivers everything, each event once', async () => {
    emulator.reset();
    // Slow Customer.io: each request takes 1 s, so batches are in flight long enough to kill one.
    emulator.faults.random({ rate: 1, steps: [{ delayMs: 1_000 }] });
    const run = crypto.randomUUID().slice(0, 8);
    const people = Array.from({ length: 40 }, (_, i) => `kill-${run}-${i}`);
    const answers = [];
    for (const [index, user] of people.entries()) {
      answers.push(await post(index, purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: user })));
    }
    expect(answers.every((answer) => answer.status === 200 && answer.outcome === 'queued')).toBe(
      true,
    );

    await until(() => workers.some((worker) => worker.inFlight > 0), 10_000, 'a batch in flight');
    const victim = workers.find((worker) => worker.inFlight > 0)!;
    const survivor = workers.find((worker) => worker !== victim)!;
    const killedAt = performance.now();
    const exited = new Promise((resolve) => victim.child.once('exit', resolve));
    process.kill(victim.child.pid!, 'SIGKILL');
    await exited;
    emulator.faults.clear();

    await until(() => emulator.events.length >= 40, 30_000, '40 events in Customer.io');
    await until(drained, 10_000, 'the queue to drain');
    const recoveryMs = performance.now() - killedAt;
    await sleep(300);
    const ids = emulator.events.map((event) => event.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    for (const user of people) expect(eventsOf(user), user).toHaveLength(1);
    // The killed batch's request died with its worker (the emulator drops a request whose client is gone
    // before its delay ends), so Customer.io saw none of it twice.
    expect(emulator.stats.duplicateEvents).toBe(0);
    expect((await pending()).failed).toBe(0);
    console.log(
      `[kill] worker SIGKILLed with a batch in flight; the other delivered all 40 in ${recoveryMs.toFixed(0)} ms; Customer.io requests ${emulator.requests.length} (${emulator.requests.filter((r) => r.status === 0).length} cut off), duplicates ${emulator.stats.duplicateEvents}`,
    );
    // A restarted worker for what follows.
    workers = [survivor, await startNode('worker')];
  }, 60_000);

  it('Redis stopped: webhooks answered 503, none delivered; restarted from its AOF while webhooks flow: every 200 delivered', async () => {
    emulator.reset();
    const run = crypto.randomUUID().slice(0, 8);
    let sent = 0;
    const accepted: string[] = [];
    const refused: string[] = [];
    let flowing = true;
    // Webhooks flow before, during and after the outage, alternately to both servers.
    const flow = (async () => {
      while (flowing) {
        const user = `flow-${run}-${sent}`;
        const answer = await post(
          sent++,
          purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: user }),
        );
        (answer.status === 200 ? accepted : refused).push(user);
        expect([200, 503]).toContain(answer.status);
        await sleep(10);
      }
    })();
    await until(() => accepted.length >= 20, 10_000, '20 webhooks accepted');

    const binary = findOrInstallRedisServer();
    const stopped = new Promise((resolve) => {
      const interval = setInterval(async () => {
        if (!(await ping(redis.port))) {
          clearInterval(interval);
          resolve(undefined);
        }
      }, 10);
    });
    process.kill(redis.pid, 'SIGKILL');
    await stopped;

    // Redis down: every webhook is answered 503, none acknowledged.
    const whileDown = [];
    for (let i = 0; i < 10; i++) {
      const user = `down-${run}-${i}`;
      whileDown.push({
        user,
        ...(await post(i, purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: user }))),
      });
    }
    expect(whileDown.map((answer) => answer.status)).toEqual(whileDown.map(() => 503));
    const downMs = whileDown.map((answer) => answer.ms);
    // Down for a while (the flow's webhooks are refused, or wait for Redis and are then accepted).
    await sleep(1_500);

    restarted = spawn(
      binary,
      [
        '--port',
        `${redis.port}`,
        '--bind',
        '127.0.0.1',
        '--dir',
        redis.dir,
        '--save',
        '',
        '--daemonize',
        'no',
        '--logfile',
        '',
        ...REDIS_ARGS,
      ],
      { cwd: redis.dir, stdio: 'ignore' },
    );
    await until(() => ping(redis.port), 10_000, 'redis-server to restart');
    const restartedAt = performance.now();
    const acceptedBeforeRestart = accepted.length;
    await until(
      () => accepted.length >= acceptedBeforeRestart + 20,
      20_000,
      '20 webhooks accepted after the restart',
    );
    flowing = false;
    await flow;

    await until(
      () => accepted.every((user) => eventsOf(user).length > 0),
      30_000,
      'every accepted webhook in Customer.io',
    );
    await until(drained, 10_000, 'the queue to drain');
    const drainMs = performance.now() - restartedAt;
    await sleep(500);
    for (const user of accepted) expect(eventsOf(user), user).toHaveLength(1);
    for (const { user } of whileDown) expect(eventsOf(user), user).toHaveLength(0);
    expect((await pending()).failed).toBe(0);
    console.log(
      `[redis] ${sent} webhooks in flow: ${accepted.length} answered 200 (all delivered, each once), ${refused.length} answered 503; with Redis down 10/10 answered 503 in p50 ${percentile(downMs, 50).toFixed(1)} ms, max ${Math.max(...downMs).toFixed(1)} ms; all delivered ${drainMs.toFixed(0)} ms after the restart; Customer.io requests ${emulator.requests.length}, duplicates ignored ${emulator.stats.duplicateEvents}`,
    );
  }, 60_000);
});

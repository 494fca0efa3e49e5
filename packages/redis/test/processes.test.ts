import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClaimResult } from '@purchasely-customerio/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeSubscriptionUpdates } from '../../core/src/state/subscriptions.js';
import { deliveryOf, updatesArbitrary } from '../../core/test/state/arbitraries.js';
import { createRedisStore } from '../src/index.js';
import { type ClientKind, connect, type TestClient } from './clients.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

// Four separate Node processes, each with its own connection and store, two clients each way: the
// atomicity under test is the server's, not a lock inside one process.
const KINDS: ClientKind[] = ['ioredis 5', 'node-redis 5', 'ioredis 6', 'node-redis 4'];
const racer = fileURLToPath(new URL('./fixtures/racer.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

interface Racer {
  child: ChildProcess;
  ask<T>(message: unknown): Promise<T>;
}

function startRacer(url: string, kind: ClientKind, prefix: string): Promise<Racer> {
  const child = fork(racer, [url, kind, prefix], {
    cwd: packageRoot,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (message: T & { error?: string }) =>
        message?.error ? reject(new Error(message.error)) : resolve(message),
      );
      child.once('exit', (code) => reject(new Error(`racer ${kind} exited with ${code}`)));
    });
  return next<string>().then(() => ({
    child,
    ask: <T>(message: unknown) => {
      const answer = next<T>();
      child.send(message as never);
      return answer;
    },
  }));
}

describe('claims and merges raced from several processes', () => {
  let server: RedisServer;
  let racers: Racer[];
  let reader: TestClient;
  const prefix = `race:${crypto.randomUUID()}:`;
  beforeAll(async () => {
    server = await startRedisServer();
    racers = await Promise.all(KINDS.map((kind) => startRacer(server.url, kind, prefix)));
    reader = await connect('ioredis 5', server);
  }, 60_000);
  afterAll(async () => {
    for (const { child } of racers ?? []) {
      child.send({ type: 'close' });
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await reader?.close();
    await server?.stop();
  });

  it('500 keys claimed at once by 4 processes: each key claimed exactly once; done for all once completed', async () => {
    const keys = Array.from({ length: 500 }, (_, index) => `evt_${index}`);
    const answers = await Promise.all(
      racers.map((racer) => racer.ask<ClaimResult[]>({ type: 'claim', keys, leaseMs: 60_000 })),
    );
    const owners = keys.map((_, index) =>
      answers.flatMap((results, racer) => (results[index]!.status === 'claimed' ? [racer] : [])),
    );
    expect(owners.every((claimedBy) => claimedBy.length === 1)).toBe(true);
    expect(answers.flat().filter((r) => r.status === 'in_progress')).toHaveLength(500 * 3);
    // Every process won some: the race was a race.
    expect(new Set(owners.flat()).size).toBeGreaterThan(1);

    const completed = await Promise.all(
      racers.map((racer, index) =>
        racer.ask<boolean[]>({
          type: 'complete',
          claims: answers[index]!.flatMap((result, key) =>
            result.status === 'claimed' ? [[keys[key], result.token]] : [],
          ),
        }),
      ),
    );
    expect(completed.flat()).toEqual(Array.from({ length: 500 }, () => true));
    const again = await Promise.all(
      racers.map((racer) => racer.ask<ClaimResult[]>({ type: 'claim', keys, leaseMs: 60_000 })),
    );
    expect(again.flat().every((result) => result.status === 'done')).toBe(true);
  });

  it('20 people, their updates merged by 4 processes in their own orders and batches: every state is the merge of all', async () => {
    const people = fc.sample(
      updatesArbitrary.chain((updates) =>
        fc.tuple(
          fc.constant(updates),
          fc.array(deliveryOf(updates), { minLength: 4, maxLength: 4 }),
        ),
      ),
      { numRuns: 20, seed: 42 },
    );
    await Promise.all(
      racers.map((racer, index) =>
        racer.ask({
          type: 'merge',
          people: people.map(([, deliveries], person) => ({
            person: `person_${person}`,
            batches: deliveries[index],
          })),
        }),
      ),
    );
    const store = createRedisStore({ redis: reader.commands, prefix });
    for (const [person, [updates]] of people.entries()) {
      expect(await store.readSubscriptions(`person_${person}`)).toEqual(
        mergeSubscriptionUpdates({}, updates),
      );
    }
  });
});

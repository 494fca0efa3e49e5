import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CustomerIoEmulator,
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
} from '@purchasely-customerio/testing';
import { afterEach, beforeEach } from 'vitest';

export interface EmulatorServer {
  emulator: CustomerIoEmulator;
  server: LoopbackServer;
  /** The Customer.io flags that reach it. */
  flags: string[];
}

export async function startEmulator(): Promise<EmulatorServer> {
  const emulator = createCustomerIoEmulator();
  const server = await emulator.listen();
  return {
    emulator,
    server,
    flags: ['--base-url', server.url, '--site-id', 'test-site', '--api-key', 'test-key'],
  };
}

export const tempDir = () => mkdtemp(join(tmpdir(), 'backfill-'));

/** A rate limit no test reaches, for the tests whose point is not the limit. */
export const FAST = ['--rate-limit', '10000'];

/**
 * A fresh emulator server and temporary folder for each test of the file (registered as `beforeEach` and
 * `afterEach`): read `sandbox.cio` and `sandbox.dir` inside the tests.
 */
export function useSandbox(): { readonly cio: EmulatorServer; readonly dir: string } {
  const sandbox = {} as { cio: EmulatorServer; dir: string };
  beforeEach(async () => {
    sandbox.cio = await startEmulator();
    sandbox.dir = await tempDir();
  });
  afterEach(async () => {
    await sandbox.cio.server.close();
  });
  return sandbox;
}

/**
 * `rows` webhook bodies for `people` people, as NDJSON: a subscription started, then renewals, each person's
 * rows spread over the file; every other line wrapped as an archive record, as `createFileArchive` writes.
 */
export async function writeNdjson(path: string, rows: number, people: number): Promise<string[]> {
  const lines: string[] = [];
  const eventIds: string[] = [];
  for (let index = 0; index < rows; index++) {
    const person = index % people;
    const event = purchaselyEvent(
      index < people ? 'SUBSCRIPTION_STARTED' : 'SUBSCRIPTION_RENEWED',
      {
        user_id: `user-${person}`,
        purchasely_subscription_id: `subs-${person}`,
        event_created_at_ms: Date.UTC(2023, 0, 1) + index * 60_000,
      },
    );
    eventIds.push(event.event_id as string);
    const body = JSON.stringify(event);
    lines.push(
      index % 2 === 0
        ? body
        : JSON.stringify({
            receivedAt: new Date(event.event_created_at_ms).toISOString(),
            eventId: event.event_id,
            eventName: event.event_name,
            body,
          }),
    );
  }
  await writeFile(path, `${lines.join('\n')}\n`);
  return eventIds;
}

/** Identify calls per person: how many attribute updates each received. */
export function updatesPerPerson(emulator: CustomerIoEmulator): Map<string, number> {
  return new Map([...emulator.people.values()].map((person) => [person.id, person.updates.length]));
}

/** Waits until the checkpoint at `path` shows `ready` people done. */
export async function waitForCheckpoint(
  path: string,
  ready: (peopleDone: number) => boolean,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const { peopleDone } = JSON.parse(await readFile(path, 'utf8')) as { peopleDone: number };
      if (ready(peopleDone)) return;
    } catch {
      // Not written yet, or being renamed into place.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the checkpoint ${path} showed no progress`);
}

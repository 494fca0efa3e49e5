import { afterAll, beforeAll, describe } from 'vitest';
import { describeStoreConformance } from '../../core/test/state/conformance.js';
import { createRedisStore } from '../src/index.js';
import { type ClientKind, connect, sleep, type TestClient } from './clients.js';
import type { RedisServer } from './redis-server.js';

/** Real time on a real server: short enough to wait out, long enough for a few round trips. */
export const LEASE_MS = 300;
/** Longer than a lease, as in production: a done key must outlive the lease it replaced. */
export const DONE_TTL_MS = 900;

/**
 * Core's store conformance suite on the Redis store, once per client, against one server of its own
 * (started by `start`), with real waiting for expiry.
 */
export function describeConformanceOnRedis(
  kinds: readonly ClientKind[],
  start: () => Promise<RedisServer>,
): void {
  let server: RedisServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  for (const kind of kinds) {
    describe(kind, () => {
      let client: TestClient;
      beforeAll(async () => {
        client = await connect(kind, server);
      });
      afterAll(async () => {
        await client?.close();
      });
      describeStoreConformance(`the Redis store on ${kind}`, async () => ({
        store: createRedisStore({
          redis: client.commands,
          prefix: `conformance:${crypto.randomUUID()}:`,
          doneTtlMs: DONE_TTL_MS,
        }),
        advance: sleep,
        leaseMs: LEASE_MS,
        doneTtlMs: DONE_TTL_MS,
        close: async () => {},
      }));
    });
  }
}

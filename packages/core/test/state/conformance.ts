import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BridgeStore, ClaimResult } from '../../src/state/store.js';
import { mergeSubscriptionUpdates } from '../../src/state/subscriptions.js';
import { deliveryOf, updatesArbitrary } from './arbitraries.js';

/** What the conformance suite needs from one store implementation. */
export interface StoreHarness {
  store: BridgeStore;
  /** Moves the store's time forward (memory: the injected clock; real servers: real waiting). */
  advance(ms: number): Promise<void>;
  /** A lease short enough to wait out in a test with a real server, e.g. 200. */
  leaseMs: number;
  /** The store's done-TTL, ditto. */
  doneTtlMs: number;
  close(): Promise<void>;
}

// A little past a deadline, so that a real server's expiry (millisecond precision, timers, a round trip)
// has certainly happened; the memory store's exact boundaries are tested on their own.
const pastExpiry = (ms: number) => ms + Math.max(1, Math.ceil(ms / 4));

// Fresh keys per test and per run, so that an implementation on a shared server needs no cleanup between
// tests and cannot pass on state left by another.
const uniqueKey = (label: string) => `conformance:${label}:${crypto.randomUUID()}`;

const tokenOf = (result: ClaimResult): string => {
  if (result.status !== 'claimed') throw new Error(`expected a claim, got ${result.status}`);
  return result.token;
};

/**
 * The contract every {@link BridgeStore} keeps, run against one implementation: claims are exclusive and
 * leased, tokens guard completion and release, done-keys expire, and concurrent merges converge.
 */
export function describeStoreConformance(name: string, harness: () => Promise<StoreHarness>): void {
  describe(`${name} keeps the BridgeStore contract`, () => {
    let current: StoreHarness;
    beforeEach(async () => {
      current = await harness();
    });
    afterEach(async () => {
      await current.close();
    });
    const claim = (key: string) => current.store.claim(key, { leaseMs: current.leaseMs });

    describe('claims', () => {
      it('25 concurrent claims of one key: exactly one is claimed, the others are in progress', async () => {
        const key = uniqueKey('race');
        const results = await Promise.all(Array.from({ length: 25 }, () => claim(key)));
        expect(results.filter((r) => r.status === 'claimed')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'in_progress')).toHaveLength(24);
      });

      it('a completed key answers done to every later claim, concurrent ones included', async () => {
        const key = uniqueKey('done');
        expect(await current.store.complete(key, tokenOf(await claim(key)))).toBe(true);
        const results = await Promise.all(Array.from({ length: 10 }, () => claim(key)));
        expect(results).toEqual(Array.from({ length: 10 }, () => ({ status: 'done' })));
      });

      it('a done key stays done after the lease would have ended: only the done-TTL counts', async () => {
        const key = uniqueKey('done-outlives-lease');
        await current.store.complete(key, tokenOf(await claim(key)));
        await current.advance(pastExpiry(current.leaseMs));
        expect(await claim(key)).toEqual({ status: 'done' });
      });

      it('a released key is claimed again at once, with a new token', async () => {
        const key = uniqueKey('release');
        const first = tokenOf(await claim(key));
        expect(await current.store.release(key, first)).toBe(true);
        const second = tokenOf(await claim(key));
        expect(second).not.toBe(first);
        expect(await claim(key)).toEqual({ status: 'in_progress' });
      });

      it('complete and release need the token that holds the claim', async () => {
        const key = uniqueKey('wrong-token');
        const token = tokenOf(await claim(key));
        expect(await current.store.complete(key, crypto.randomUUID())).toBe(false);
        expect(await current.store.release(key, crypto.randomUUID())).toBe(false);
        expect(await claim(key)).toEqual({ status: 'in_progress' });
        expect(await current.store.complete(key, token)).toBe(true);
      });

      it('a token is spent once its claim is completed: completing or releasing again changes nothing', async () => {
        const key = uniqueKey('spent');
        const token = tokenOf(await claim(key));
        expect(await current.store.complete(key, token)).toBe(true);
        expect(await current.store.complete(key, token)).toBe(false);
        expect(await current.store.release(key, token)).toBe(false);
        expect(await claim(key)).toEqual({ status: 'done' });
      });

      it('after its lease ends, a key is claimable again, and the old token changes nothing', async () => {
        const key = uniqueKey('lease-expiry');
        const stale = tokenOf(await claim(key));
        await current.advance(pastExpiry(current.leaseMs));
        const fresh = tokenOf(await claim(key));
        expect(fresh).not.toBe(stale);
        expect(await current.store.complete(key, stale)).toBe(false);
        expect(await current.store.release(key, stale)).toBe(false);
        expect(await claim(key)).toEqual({ status: 'in_progress' });
        expect(await current.store.complete(key, fresh)).toBe(true);
        expect(await claim(key)).toEqual({ status: 'done' });
      });

      it('an expired lease no one claimed again cannot be completed with its old token', async () => {
        const key = uniqueKey('expired-unclaimed');
        const stale = tokenOf(await claim(key));
        await current.advance(pastExpiry(current.leaseMs));
        expect(await current.store.complete(key, stale)).toBe(false);
        expect((await claim(key)).status).toBe('claimed');
      });

      it('a done key is forgotten after the done-TTL, and can be claimed again', async () => {
        const key = uniqueKey('done-ttl');
        await current.store.complete(key, tokenOf(await claim(key)));
        await current.advance(pastExpiry(current.doneTtlMs));
        expect((await claim(key)).status).toBe('claimed');
      });

      it('different keys are independent', async () => {
        const [a, b, c] = [uniqueKey('a'), uniqueKey('b'), uniqueKey('c')];
        const tokenA = tokenOf(await claim(a));
        const tokenB = tokenOf(await claim(b));
        expect(await current.store.complete(b, tokenA)).toBe(false);
        expect(await current.store.complete(a, tokenA)).toBe(true);
        expect(await claim(b)).toEqual({ status: 'in_progress' });
        expect(await current.store.release(b, tokenB)).toBe(true);
        expect(await claim(a)).toEqual({ status: 'done' });
        expect((await claim(b)).status).toBe('claimed');
        expect((await claim(c)).status).toBe('claimed');
      });
    });

    describe('subscription state', () => {
      it('an unknown person reads as an empty state', async () => {
        expect(await current.store.readSubscriptions(uniqueKey('nobody'))).toEqual({});
      });

      it('a merge returns what the next read returns: the merged whole state', async () => {
        await fc.assert(
          fc.asyncProperty(updatesArbitrary, updatesArbitrary, async (before, after) => {
            const person = uniqueKey('person');
            await current.store.mergeSubscriptions(person, before);
            const merged = await current.store.mergeSubscriptions(person, after);
            expect(merged).toEqual(mergeSubscriptionUpdates({}, [...before, ...after]));
            expect(await current.store.readSubscriptions(person)).toEqual(merged);
          }),
          { numRuns: 20 },
        );
      });

      it('people are independent', async () => {
        const [alice, bob] = [uniqueKey('alice'), uniqueKey('bob')];
        const version = { at: 1_000, id: 'evt_1' };
        await current.store.mergeSubscriptions(alice, [
          { subscriptionKey: 'sub_1', version, fields: { status: 'ACTIVE' } },
        ]);
        expect(await current.store.readSubscriptions(bob)).toEqual({});
      });

      it('10 callers merging the same updates concurrently, each in its own order and batches, converge', async () => {
        const deliveries = updatesArbitrary.chain((updates) =>
          fc.tuple(
            fc.constant(updates),
            fc.array(deliveryOf(updates), { minLength: 10, maxLength: 10 }),
          ),
        );
        await fc.assert(
          fc.asyncProperty(deliveries, async ([updates, callers]) => {
            const person = uniqueKey('concurrent');
            await Promise.all(
              callers.map(async (batches) => {
                for (const batch of batches) await current.store.mergeSubscriptions(person, batch);
              }),
            );
            expect(await current.store.readSubscriptions(person)).toEqual(
              mergeSubscriptionUpdates({}, updates),
            );
          }),
          { numRuns: 15 },
        );
      });
    });
  });
}

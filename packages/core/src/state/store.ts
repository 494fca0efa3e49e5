import type { PersonState, SubscriptionUpdate } from './subscriptions.js';

/** The answer to a claim: yours (with the token that proves it), already done, or held by someone else. */
export type ClaimResult =
  | { status: 'claimed'; token: string }
  | { status: 'done' }
  | { status: 'in_progress' };

/**
 * Everything the bridge must remember between webhooks: which events are claimed or done, and each
 * person's subscription state. Every method is atomic on its own, so that several instances sharing one
 * store never both deliver an event nor lose a merge: implementations run each one as a single Redis Lua
 * script, PostgreSQL statement/transaction or Durable Object call. Tokens are random
 * (`crypto.randomUUID()`), so a holder whose lease ran out cannot complete or release someone else's claim.
 *
 * @example
 * ```ts
 * const claim = await store.claim(eventKey, { leaseMs: 30_000 });
 * if (claim.status === 'claimed') {
 *   try {
 *     const state = await store.mergeSubscriptions(personKey, updates);
 *     await deliver(event, state);
 *     await store.complete(eventKey, claim.token);
 *   } catch (error) {
 *     await store.release(eventKey, claim.token);
 *     throw error;
 *   }
 * }
 * ```
 */
export interface BridgeStore {
  /**
   * Atomically claims an event key for `leaseMs`: 'claimed' with a token (yours until the lease ends),
   * 'done' (completed before and still remembered), 'in_progress' (someone holds an unexpired lease).
   */
  claim(key: string, options: { leaseMs: number }): Promise<ClaimResult>;
  /**
   * Marks the claimed key done (remembered for the store's done-TTL). A token that no longer holds the
   * claim (its lease expired, whether or not the key was claimed again) changes nothing and resolves false.
   */
  complete(key: string, token: string): Promise<boolean>;
  /** Gives the claim back after a failure, so the next claim gets it at once. Stale token: no-op, false. */
  release(key: string, token: string): Promise<boolean>;
  /**
   * Atomically merges updates into one person's state (`mergeSubscriptionUpdates`) and returns the
   * whole state after the merge.
   */
  mergeSubscriptions(
    personKey: string,
    updates: readonly SubscriptionUpdate[],
  ): Promise<PersonState>;
  /** The person's state (empty object when unknown). */
  readSubscriptions(personKey: string): Promise<PersonState>;
}

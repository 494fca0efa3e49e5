import { createPurchaselyBridge, type PurchaselyBridge } from '@purchasely-customerio/core';
import {
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawPost } from './servers.js';

/** A real server listening on loopback with the adapter mounted at `path`. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Starts a server with the adapter under test, built from `bridge`. */
export type StartServer = (bridge: PurchaselyBridge, path: string) => Promise<RunningServer>;

/** How the server under test differs from a plain mount. */
export interface ConformanceOptions {
  /**
   * Set when something in front of the adapter (express.raw(), a Hono middleware) reads the body before the
   * adapter runs: the adapter then cannot bound that read, nor answer before it, so the cases about reading
   * the body (trickling sender, declared over-limit length) do not apply; the value says what reads it.
   */
  bodyReadBefore?: string;
}

export const SECRET = 'conformance-secret';

/** One webhook of a scenario, for a given user. */
type ScenarioStep = (userId: string) => object;

/** Fixed once: every run of a scenario must carry the same times, whatever the order it is sent in. */
const SCENARIO_NOW = Date.now();
const minutesAgo = (minutes: number) => SCENARIO_NOW - minutes * 60_000;
const step =
  (
    name: Parameters<typeof purchaselyEvent>[0],
    minutes: number,
    fields: Record<string, unknown>,
  ): ScenarioStep =>
  (userId) =>
    purchaselyEvent(name, {
      user_id: userId,
      event_created_at_ms: minutesAgo(minutes),
      ...fields,
    } as never);

/**
 * Two subscriptions and a plan change: NEWS_PLUS monthly upgraded to yearly (ACTIVATE of the new plan, then
 * DEACTIVATE of the old), GAMES_PLUS started, renewed, and a trial of a third product that ended.
 */
const SCENARIO: readonly ScenarioStep[] = [
  step('SUBSCRIPTION_STARTED', 60, {
    purchasely_subscription_id: 'news-monthly',
    product: 'NEWS_PLUS',
    plan: 'news_monthly',
    effective_next_renewal_at_ms: minutesAgo(-30),
  }),
  step('SUBSCRIPTION_UPGRADED', 50, {
    purchasely_subscription_id: 'news-yearly',
    from_purchasely_subscription_id: 'news-monthly',
    product: 'NEWS_PLUS',
    plan: 'news_yearly',
    effective_next_renewal_at_ms: minutesAgo(-500_000),
  }),
  step('ACTIVATE', 49, {
    purchasely_subscription_id: 'news-yearly',
    product: 'NEWS_PLUS',
    plan: 'news_yearly',
    effective_next_renewal_at_ms: minutesAgo(-500_000),
  }),
  step('DEACTIVATE', 48, {
    purchasely_subscription_id: 'news-monthly',
    product: 'NEWS_PLUS',
    plan: 'news_monthly',
    subscription_status: 'DEACTIVATED',
  }),
  step('TRIAL_STARTED', 40, {
    purchasely_subscription_id: 'puzzles',
    product: 'PUZZLES_PLUS',
    plan: 'puzzles_monthly',
    offer_type: 'FREE_TRIAL',
  }),
  step('TRIAL_NOT_CONVERTED', 30, {
    purchasely_subscription_id: 'puzzles',
    product: 'PUZZLES_PLUS',
    plan: 'puzzles_monthly',
    subscription_status: 'DEACTIVATED',
  }),
  step('SUBSCRIPTION_STARTED', 20, {
    purchasely_subscription_id: 'games',
    product: 'GAMES_PLUS',
    plan: 'games_monthly',
    effective_next_renewal_at_ms: minutesAgo(-1000),
  }),
  step('SUBSCRIPTION_RENEWED', 10, {
    purchasely_subscription_id: 'games',
    product: 'GAMES_PLUS',
    plan: 'games_monthly',
    effective_next_renewal_at_ms: minutesAgo(-2000),
  }),
];
export const PATH = '/webhooks/purchasely';
const MAX_BODY_BYTES = 64 * 1024;
/** Short, so a trickling sender is cut off quickly; a real body on loopback arrives in well under 1 ms. */
const BODY_READ_TIMEOUT_MS = 400;

/**
 * The conformance suite every adapter passes: a real server on loopback, a real Customer.io emulator on
 * loopback behind it, real HTTP in between.
 */
export function testAdapterConformance(
  name: string,
  start: StartServer,
  options: ConformanceOptions = {},
): void {
  const readsBodyItself = options.bodyReadBefore === undefined;
  // Where a parser in front reads the body, the adapter has no read of its own to bound: those cases are
  // not registered for that server (rather than skipped, so a skip always means something went missing).
  const itWhenAdapterReadsBody = readsBodyItself ? it : () => undefined;
  describe(`${name} adapter conformance`, () => {
    let customerio: LoopbackServer;
    let server: RunningServer;
    const emulator = createCustomerIoEmulator({
      workspaces: [{ siteId: 'site', apiKey: 'key', region: 'us' }],
    });

    beforeAll(async () => {
      customerio = await emulator.listen();
      const bridge = createPurchaselyBridge({
        webhookSecret: SECRET,
        maxBodyBytes: MAX_BODY_BYTES,
        bodyReadTimeoutMs: BODY_READ_TIMEOUT_MS,
        logger: false,
        customerio: {
          siteId: 'site',
          apiKey: 'key',
          region: 'us',
          baseUrl: customerio.url,
          rateLimit: false,
          retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 },
        },
        names: { SUBSCRIPTION_RENEWED: 'subscription_renewed' },
        events: 'all',
      });
      server = await start(bridge, PATH);
    });
    afterAll(async () => {
      await server?.close();
      await customerio?.close();
    });
    beforeEach(() => emulator.reset());

    const post = async (body: unknown, init: { secret?: string; method?: string } = {}) => {
      const webhook = await signedPurchaselyWebhook({
        secret: init.secret ?? SECRET,
        body: body as object,
      });
      return fetch(`${server.url}${PATH}`, {
        method: init.method ?? 'POST',
        headers: webhook.headers,
        body: webhook.body,
      });
    };

    it('leaves the same attributes whatever order the same events arrive in, one by one or all at once', async () => {
      let run = 0;
      const attributesAfter = async (order: readonly ScenarioStep[], together: boolean) => {
        run += 1;
        const userId = `user-order-${run}`;
        const bodies = order.map((step) => step(userId));
        if (together) await Promise.all(bodies.map((body) => post(body)));
        else for (const body of bodies) expect((await post(body)).status).toBe(200);
        const { user_id, ...attributes } = emulator.people.get(userId)?.attributes ?? {};
        expect(user_id).toBe(userId);
        return attributes;
      };
      const expected = await attributesAfter(SCENARIO, false);
      expect(expected).toMatchObject({
        has_active_subscription: true,
        active_subscriptions: 2,
        active_products: 'GAMES_PLUS,NEWS_PLUS',
        plan: 'news_yearly',
        last_event: 'SUBSCRIPTION_RENEWED',
      });
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray([...SCENARIO], { minLength: SCENARIO.length }),
          fc.boolean(),
          async (order, together) => {
            expect(await attributesAfter(order, together)).toEqual(expected);
          },
        ),
        { numRuns: 8 },
      );
    });

    it('forwards a signed event to Customer.io', async () => {
      const response = await post(purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'user-1' }));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'forwarded',
        customerio_event: 'subscription_renewed',
      });
      expect(emulator.people.get('user-1')?.attributes).toMatchObject({
        plan: 'monthly',
        last_event: 'SUBSCRIPTION_RENEWED',
      });
      expect(emulator.events.map((event) => event.name)).toEqual(['subscription_renewed']);
    });

    it('answers 401 to a bad signature and forwards nothing', async () => {
      const response = await post(purchaselyEvent('SUBSCRIPTION_RENEWED'), {
        secret: 'not-the-secret',
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: 'invalid_signature',
        reason: 'signature_mismatch',
      });
      expect(emulator.requests).toHaveLength(0);
    });

    it('answers 405 with Allow: POST to another method', async () => {
      const response = await fetch(`${server.url}${PATH}`, { method: 'PUT', body: '{}' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });

    it('answers 413 to a body over the limit', async () => {
      const huge = {
        ...purchaselyEvent('SUBSCRIPTION_RENEWED'),
        padding: 'x'.repeat(MAX_BODY_BYTES),
      };
      const response = await post(huge);
      expect(response.status).toBe(413);
      expect(emulator.requests).toHaveLength(0);
    });

    itWhenAdapterReadsBody(
      `answers 413 at once to a declared Content-Length over the limit, without reading the body`,
      async () => {
        // The body is never sent: an answer at all proves the adapter did not wait for it.
        const exchange = await rawPost(server.url, PATH, {
          contentLength: MAX_BODY_BYTES + 1,
          giveUpMs: 3000,
        });
        expect(exchange.status).toBe(413);
        expect(exchange.answer).toMatch(/"error":"payload_too_large"/);
        expect(exchange.answeredAfterMs).toBeLessThan(1000);
        expect(emulator.requests).toHaveLength(0);
      },
    );

    itWhenAdapterReadsBody(
      `answers 408 to a sender trickling its body, and closes the connection`,
      async () => {
        // 1,000 bytes at one every 200 ms would take 200 s: only the read timeout can end this early.
        const exchange = await rawPost(server.url, PATH, {
          contentLength: 1000,
          trickleEveryMs: 200,
          giveUpMs: BODY_READ_TIMEOUT_MS + 3000,
        });
        expect(exchange.status).toBe(408);
        expect(exchange.answer).toMatch(/"error":"body_timed_out"/);
        expect(exchange.answeredAfterMs).toBeGreaterThanOrEqual(BODY_READ_TIMEOUT_MS - 50);
        expect(exchange.answeredAfterMs).toBeLessThan(BODY_READ_TIMEOUT_MS + 1500);
        // The server let go of the socket: the client did not have to hang up itself.
        expect(exchange.closedAfterMs).toBeDefined();
        expect(exchange.closedAfterMs).toBeLessThan(BODY_READ_TIMEOUT_MS + 2000);
        expect(exchange.bytesSentBeforeAnswer).toBeLessThan(1000);
        expect(emulator.requests).toHaveLength(0);
      },
    );

    it('acknowledges a duplicate delivery without sending it again', async () => {
      const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'user-2' });
      expect((await post(event)).status).toBe(200);
      const again = await post(event);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ status: 'duplicate' });
      expect(emulator.events).toHaveLength(1);
      expect(emulator.requests).toHaveLength(1);
    });

    it('answers 503 while Customer.io is down, and forwards the re-delivery', async () => {
      emulator.faults.next({ status: 503 }, { status: 503 }, { status: 503 });
      const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'user-3' });
      const down = await post(event);
      expect(down.status).toBe(503);
      expect(emulator.events).toHaveLength(0);
      const redelivered = await post(event);
      expect(redelivered.status).toBe(200);
      expect(emulator.events).toHaveLength(1);
    });
  });
}

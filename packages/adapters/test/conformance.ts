import { createPurchaselyBridge, type PurchaselyBridge } from '@purchasely-customerio/core';
import {
  createCustomerIoEmulator,
  type LoopbackServer,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
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

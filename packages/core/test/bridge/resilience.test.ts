import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/index.js';
import { recordingLogger, SECRET, send, setup } from './helpers.js';

describe('identity resolvers, secret rotation and unexpected failures', () => {
  it('a custom async identify resolver can address people by email', async () => {
    const { emulator, bridge } = setup({
      identify: async (event) => ({ email: `${event.user_id}@example.com` }),
    });
    const answer = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'ada' }));
    expect(answer.json).toMatchObject({ status: 'forwarded' });
    const body = JSON.parse(emulator.requests[0]?.body ?? '{}') as {
      batch: Array<{ identifiers: unknown }>;
    };
    expect(body.batch.map((op) => op.identifiers)).toEqual([
      { email: 'ada@example.com' },
      { email: 'ada@example.com' },
    ]);
  });

  it('a resolver answering nothing skips the event (no_identity)', async () => {
    const { emulator, bridge } = setup({ identify: () => null });
    const answer = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'));
    expect(answer.json).toMatchObject({ status: 'skipped', reason: 'no_identity' });
    expect(emulator.requests).toHaveLength(0);
  });

  it('userProperties: false sends the event with no attributes', async () => {
    const { emulator, bridge } = setup({ userProperties: false });
    await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-bare' }));
    const body = JSON.parse(emulator.requests[0]?.body ?? '{}') as {
      batch: Array<{ attributes: unknown }>;
    };
    expect(body.batch[0]?.attributes).toEqual({});
    expect(emulator.events).toHaveLength(1);
  });

  it('a throwing resolver → 500 identify_failed (policy retry) for the request and its concurrent copies; nothing remembered', async () => {
    const logger = recordingLogger();
    let fail = true;
    const { emulator, bridge } = setup({
      logger,
      identify: async (event) => {
        if (fail) throw new Error('user database down');
        return event.user_id;
      },
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    const webhooks = await Promise.all(
      Array.from({ length: 3 }, () => signedPurchaselyWebhook({ secret: SECRET, body: event })),
    );
    const answers = await Promise.all(
      webhooks.map((webhook) => bridge.handle({ method: 'POST', ...webhook })),
    );
    expect(answers.map((a) => [a.status, JSON.parse(a.body).error])).toEqual(
      Array(3).fill([500, 'identify_failed']),
    );
    expect(logger.calls.filter((c) => c.message.includes('identify resolver threw'))).toEqual(
      Array(3).fill(expect.objectContaining({ level: 'error' })),
    );
    expect(logger.calls.some((c) => c.message.includes('unexpected error'))).toBe(false);
    fail = false;
    expect((await send(bridge, event)).json).toMatchObject({ status: 'forwarded' });
    expect(emulator.events).toHaveLength(1);
  });

  it("a throwing resolver with onIdentifyError: 'acknowledge' → 200 failed, onFailed told, nothing sent", async () => {
    const failed: unknown[] = [];
    const { emulator, bridge } = setup({
      onIdentifyError: 'acknowledge',
      hooks: { onFailed: (info) => failed.push(info) },
      identify: () => {
        throw new Error('user database down');
      },
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    const answer = await send(bridge, event);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'failed', reason: 'identify_failed' });
    expect(failed).toEqual([
      expect.objectContaining({ event, reason: 'identify_failed', willRetry: false }),
    ]);
    expect(emulator.requests).toHaveLength(0);
  });

  it('a store that cannot claim → 503 store_unavailable, so Purchasely keeps the event; nothing sent', async () => {
    const failed: unknown[] = [];
    const { emulator, bridge } = setup({
      store: {
        ...createMemoryStore(),
        claim: async () => {
          throw new Error('redis down');
        },
      },
      hooks: { onFailed: (info) => failed.push(info) },
    });
    const answer = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'));
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: 'store_unavailable' });
    expect(failed).toEqual([
      expect.objectContaining({ reason: 'store_unavailable', willRetry: true }),
    ]);
    expect(emulator.requests).toHaveLength(0);
  });

  it('a store that cannot merge the person state → 503, the claim released, nothing sent', async () => {
    const memory = createMemoryStore();
    let down = true;
    const { emulator, bridge } = setup({
      store: {
        ...memory,
        mergeSubscriptions: async (person, updates) => {
          if (down) throw new Error('redis down');
          return memory.mergeSubscriptions(person, updates);
        },
      },
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    expect((await send(bridge, event)).status).toBe(503);
    expect(emulator.requests).toHaveLength(0);
    down = false;
    expect((await send(bridge, event)).json).toMatchObject({ status: 'forwarded' });
  });

  it('during a secret rotation, either secret is accepted', async () => {
    const { emulator, bridge } = setup({ webhookSecret: ['previous-secret', SECRET] });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    expect((await send(bridge, event, { secret: 'previous-secret' })).status).toBe(200);
    expect((await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'))).status).toBe(200);
    expect((await send(bridge, event, { secret: 'unknown' })).status).toBe(401);
    expect(emulator.events).toHaveLength(2);
  });

  it('a custom signature tolerance is honoured', async () => {
    const { bridge } = setup({ signature: { toleranceSeconds: 10 } });
    const stale = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'), {
      timestamp: Math.floor(Date.now() / 1000) - 60,
    });
    expect(stale.status).toBe(401);
    expect(stale.json).toMatchObject({ reason: 'timestamp_too_old' });
  });
});

import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { describe, expect, it, vi } from 'vitest';
import type { BridgeHooks, PurchaselyEventName } from '../../src/index.js';
import { SECRET, send, setup } from './helpers.js';

type FailedInfo = Parameters<NonNullable<BridgeHooks['onFailed']>>[0];

describe('on() handlers', () => {
  it('runs the handler with the parsed event, before delivery (your logic does not wait on Customer.io)', async () => {
    const { emulator, bridge } = setup();
    const seen: unknown[] = [];
    bridge.on('SUBSCRIPTION_RENEWED', (event) => {
      seen.push({ event, eventsAtCall: emulator.events.length });
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-handler' });
    const answer = await send(bridge, event);
    expect(answer.json).toMatchObject({ status: 'forwarded' });
    expect(seen).toEqual([{ event, eventsAtCall: 0 }]);
    expect(emulator.events).toHaveLength(1);
  });

  it('runs for ACTIVATE, which is not forwarded by default', async () => {
    const { emulator, bridge } = setup();
    const handler = vi.fn();
    bridge.on('ACTIVATE', handler);
    const event = purchaselyEvent('ACTIVATE', { user_id: 'u-activate' });
    const answer = await send(bridge, event);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'skipped', reason: 'event_disabled' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith(event);
    expect(emulator.requests).toHaveLength(0);
  });

  it('only the handler of the event name runs', async () => {
    const { bridge } = setup();
    const renewed = vi.fn();
    const started = vi.fn();
    bridge.on('SUBSCRIPTION_RENEWED', renewed).on('SUBSCRIPTION_STARTED', started);
    await send(bridge, purchaselyEvent('SUBSCRIPTION_STARTED'));
    expect(started).toHaveBeenCalledTimes(1);
    expect(renewed).not.toHaveBeenCalled();
  });

  it('registering the same name twice throws; unknown names and non-functions throw', () => {
    const { bridge } = setup();
    expect(bridge.on('ACTIVATE', () => {})).toBe(bridge);
    expect(() => bridge.on('ACTIVATE', () => {})).toThrow(/already registered/);
    expect(() => bridge.on('NOT_AN_EVENT' as PurchaselyEventName, () => {})).toThrow(TypeError);
    expect(() => bridge.on('DEACTIVATE', 'nope' as never)).toThrow(TypeError);
  });

  it('runs even when Customer.io is unavailable (again on the re-delivery), and not for a duplicate', async () => {
    const { emulator, bridge } = setup({}, { retry: false });
    const handler = vi.fn();
    bridge.on('SUBSCRIPTION_RENEWED', handler);
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    emulator.faults.next({ status: 503 });
    expect((await send(bridge, event)).status).toBe(503);
    expect(handler).toHaveBeenCalledTimes(1);
    expect((await send(bridge, event)).json).toMatchObject({ status: 'forwarded' });
    expect((await send(bridge, event)).json).toMatchObject({ status: 'duplicate' });
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('runs once for concurrent copies', async () => {
    const { emulator, bridge } = setup();
    emulator.faults.next({ delayMs: 20 });
    const handler = vi.fn();
    bridge.on('SUBSCRIPTION_RENEWED', handler);
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    const webhooks = await Promise.all(
      Array.from({ length: 3 }, () => signedPurchaselyWebhook({ secret: SECRET, body: event })),
    );
    await Promise.all(webhooks.map((webhook) => bridge.handle({ method: 'POST', ...webhook })));
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("a throwing handler (default 'retry') → 500 handler_failed; the event is not remembered", async () => {
    const failed: FailedInfo[] = [];
    const { emulator, bridge } = setup({ hooks: { onFailed: (info) => failed.push(info) } });
    let calls = 0;
    bridge.on('SUBSCRIPTION_RENEWED', async () => {
      calls += 1;
      if (calls === 1) throw new Error('entitlement service down');
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-retry' });

    const first = await send(bridge, event);
    expect(first.status).toBe(500);
    expect(first.json).toEqual({
      error: 'handler_failed',
      event_id: event.event_id,
      event_name: 'SUBSCRIPTION_RENEWED',
    });
    expect(failed).toEqual([
      expect.objectContaining({ reason: 'handler_failed', willRetry: true, event }),
    ]);

    // The handler runs before delivery: nothing reached Customer.io. Purchasely re-delivers; it runs again.
    expect(emulator.requests).toHaveLength(0);
    const second = await send(bridge, event);
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ status: 'forwarded' });
    expect(calls).toBe(2);
    expect(emulator.events).toHaveLength(1);

    expect((await send(bridge, event)).json).toMatchObject({ status: 'duplicate' });
    expect(calls).toBe(2);
  });

  it("a throwing handler with onHandlerError 'acknowledge' → 200, remembered", async () => {
    const failed: FailedInfo[] = [];
    const { emulator, bridge } = setup({
      onHandlerError: 'acknowledge',
      hooks: { onFailed: (info) => failed.push(info) },
    });
    const handler = vi.fn(() => {
      throw new Error('boom');
    });
    bridge.on('SUBSCRIPTION_RENEWED', handler);
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    const answer = await send(bridge, event);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'forwarded' });
    expect(failed).toEqual([
      expect.objectContaining({ reason: 'handler_failed', willRetry: false }),
    ]);
    expect((await send(bridge, event)).json).toMatchObject({ status: 'duplicate' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(emulator.events).toHaveLength(1);
  });

  it('a throwing handler on a skipped event → 500 with the retry policy', async () => {
    const { bridge } = setup();
    bridge.on('ACTIVATE', () => {
      throw new Error('boom');
    });
    const answer = await send(bridge, purchaselyEvent('ACTIVATE'));
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ error: 'handler_failed', event_name: 'ACTIVATE' });
  });
});

describe('on() handlers and the sandbox', () => {
  it('run for a sandbox event skipped by the default policy (check event.environment)', async () => {
    const { emulator, bridge } = setup();
    const environments: string[] = [];
    bridge.on('SUBSCRIPTION_RENEWED', (event) => {
      environments.push(event.environment);
    });
    const answer = await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_RENEWED', { environment: 'SANDBOX' }),
    );
    expect(answer.json).toMatchObject({ status: 'skipped', reason: 'sandbox' });
    expect(environments).toEqual(['SANDBOX']);
    expect(emulator.requests).toHaveLength(0);
  });
});

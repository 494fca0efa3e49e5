import { purchaselyEvent } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { recordingLogger, send, setup } from './helpers.js';

describe('hooks', () => {
  it('onForwarded gets the event and the Customer.io name', async () => {
    const forwarded: unknown[] = [];
    const { bridge } = setup({
      names: { SUBSCRIPTION_RENEWED: 'renewed' },
      hooks: { onForwarded: (info) => forwarded.push(info) },
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-hook' });
    await send(bridge, event);
    expect(forwarded).toEqual([{ event, customerioEvent: 'renewed' }]);
  });

  it('onSkipped gets the event and the reason', async () => {
    const skipped: unknown[] = [];
    const { bridge } = setup({ hooks: { onSkipped: (info) => skipped.push(info) } });
    const disabled = purchaselyEvent('DEACTIVATE');
    const sandbox = purchaselyEvent('SUBSCRIPTION_RENEWED', { environment: 'SANDBOX' });
    const anonymous = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: undefined });
    await send(bridge, disabled);
    await send(bridge, sandbox);
    await send(bridge, anonymous);
    expect(skipped).toEqual([
      { event: disabled, reason: 'event_disabled' },
      { event: sandbox, reason: 'sandbox' },
      { event: anonymous, reason: 'no_identity' },
    ]);
  });

  it('onDuplicate gets the event and its idempotency key', async () => {
    const duplicates: unknown[] = [];
    const { bridge } = setup({ hooks: { onDuplicate: (info) => duplicates.push(info) } });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    await send(bridge, event);
    expect(duplicates).toEqual([]);
    await send(bridge, event);
    expect(duplicates).toEqual([{ event, key: event.event_id }]);
  });

  it('no hook fires for requests that never become an event', async () => {
    const calls: string[] = [];
    const { bridge } = setup({
      hooks: {
        onForwarded: () => calls.push('forwarded'),
        onSkipped: () => calls.push('skipped'),
        onDuplicate: () => calls.push('duplicate'),
        onFailed: () => calls.push('failed'),
      },
    });
    await bridge.handle({ method: 'GET', headers: {}, body: '' });
    await bridge.handle({ method: 'POST', headers: {}, body: '{}' });
    await send(bridge, 'not json');
    expect(calls).toEqual([]);
  });

  it('a throwing hook does not change the answer, and is logged', async () => {
    const logger = recordingLogger();
    const boom = () => {
      throw new Error('hook exploded');
    };
    const { emulator, bridge } = setup({
      logger,
      hooks: { onForwarded: boom, onSkipped: boom, onDuplicate: boom, onFailed: boom },
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    expect((await send(bridge, event)).json).toMatchObject({ status: 'forwarded' });
    expect((await send(bridge, event)).json).toMatchObject({ status: 'duplicate' });
    expect((await send(bridge, purchaselyEvent('ACTIVATE'))).json).toMatchObject({
      status: 'skipped',
    });
    emulator.faults.next({ status: 400, body: JSON.stringify({ meta: { error: 'rejected' } }) });
    const rejected = await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'));
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ status: 'failed' });

    const hookErrors = logger.calls.filter((call) => call.message.includes('a hook threw'));
    expect(hookErrors.map((call) => [call.level, call.object.hook])).toEqual([
      ['error', 'onForwarded'],
      ['error', 'onDuplicate'],
      ['error', 'onSkipped'],
      ['error', 'onFailed'],
    ]);
    expect(emulator.events).toHaveLength(1);
  });

  it('a throwing onFailed does not turn a 503 into something else', async () => {
    const { emulator, bridge } = setup(
      {
        hooks: {
          onFailed: () => {
            throw new Error('alerting down');
          },
        },
      },
      { retry: false },
    );
    emulator.faults.next({ status: 503 });
    expect((await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'))).status).toBe(503);
  });
});

describe('async hooks', () => {
  it('a rejecting async hook is logged, not left as an unhandled rejection', async () => {
    const logger = recordingLogger();
    const { bridge } = setup({
      logger,
      hooks: {
        onForwarded: async () => {
          throw new Error('async hook failed');
        },
        onSkipped: () => Promise.reject(new Error('async skip hook failed')),
      },
    });
    expect((await send(bridge, purchaselyEvent('SUBSCRIPTION_RENEWED'))).status).toBe(200);
    expect((await send(bridge, purchaselyEvent('ACTIVATE'))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const hookErrors = logger.calls.filter((call) => call.message.includes('a hook threw'));
    expect(hookErrors.map((call) => [call.object.hook, call.object.err])).toEqual([
      ['onForwarded', { name: 'Error', message: 'async hook failed' }],
      ['onSkipped', { name: 'Error', message: 'async skip hook failed' }],
    ]);
  });
});

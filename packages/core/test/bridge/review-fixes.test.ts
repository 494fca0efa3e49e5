import { PurchaselyBridgeConfigError } from '@purchasely-customerio/core';
import { purchaselyEvent } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { createPurchaselyBridge } from '../../src/index.js';
import { recordingLogger, SECRET, send, setup } from './helpers.js';

describe('edge cases found in review', () => {
  it.each([
    ['fractional', 1_700_000_000_000.5],
    ['negative', -1],
  ])(
    'a %s event_created_at_ms is refused as invalid (200 failed), never a 500',
    async (_label, ms) => {
      const { emulator, bridge } = setup();
      const answer = await send(bridge, {
        ...purchaselyEvent('SUBSCRIPTION_RENEWED'),
        event_created_at_ms: ms,
      });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ status: 'failed', reason: 'invalid_payload' });
      expect(emulator.requests).toHaveLength(0);
    },
  );

  it.each([
    [{ toleranceSeconds: -1 }, 'signature.toleranceSeconds'],
    [{ toleranceSeconds: Number.NaN }, 'signature.toleranceSeconds'],
    [{ now: 42 }, 'signature.now'],
  ])('refuses signature settings %j at construction', (signature, setting) => {
    const build = () =>
      createPurchaselyBridge({
        webhookSecret: SECRET,
        customerio: { siteId: 's', apiKey: 'k', region: 'us' },
        signature: signature as never,
      });
    expect(build).toThrow(PurchaselyBridgeConfigError);
    expect(build).toThrow(expect.objectContaining({ setting }));
  });

  it('treats a 207 without a usable batch_index as a rejection, logged without the payload', async () => {
    const logger = recordingLogger();
    const { emulator, bridge } = setup({ logger });
    emulator.faults.next({
      status: 207,
      body: '{"errors":[{"reason":"invalid","message":"odd"}]}',
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', {
      user_id: 'u-207',
      plan: 'plan-secret-ish',
    });
    const answer = await send(bridge, event);
    expect(answer.json).toMatchObject({ status: 'failed', reason: 'customerio_rejected' });
    const logged = JSON.stringify(logger.calls.filter((call) => call.level !== 'debug'));
    expect(logged).toContain('Customer.io refused part of the event: odd');
    expect(logged).not.toContain('plan-secret-ish');
  });
});

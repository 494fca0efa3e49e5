import { purchaselyEvent } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import type { BridgeHooks } from '../../src/index.js';
import { send, setup } from './helpers.js';

type FailedInfo = Parameters<NonNullable<BridgeHooks['onFailed']>>[0];

describe('a tolerant receiver', () => {
  it.each([
    'store',
    'store_app_bundle_id',
    'store_product_id',
    'product',
    'purchased_at',
    'purchased_at_ms',
    'original_purchased_at',
    'original_purchased_at_ms',
    'event_created_at',
  ])('a payload without %s (absent or null) is forwarded', async (field) => {
    for (const value of [undefined, null]) {
      const { emulator, bridge } = setup();
      const event: Record<string, unknown> = purchaselyEvent('SUBSCRIPTION_RENEWED');
      if (value === undefined) delete event[field];
      else event[field] = value;
      const answer = await send(bridge, JSON.stringify(event));
      expect(answer.json).toMatchObject({ status: 'forwarded' });
      expect(emulator.events).toHaveLength(1);
    }
  });
});

describe('deterministic bad input ends acknowledged, with the failure hook', () => {
  it.each([
    ['1e15', 1e15],
    ['microseconds', Date.now() * 1000],
    ['a year before 2000', Date.UTC(1999, 11, 31)],
  ])('event_created_at_ms of %s → 200 failed, every time', async (_, ms) => {
    const failed: FailedInfo[] = [];
    const { emulator, bridge } = setup({ hooks: { onFailed: (info) => failed.push(info) } });
    const body = JSON.stringify({
      ...purchaselyEvent('SUBSCRIPTION_RENEWED'),
      event_created_at_ms: ms,
    });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const answer = await send(bridge, body);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ status: 'failed', reason: 'invalid_payload' });
    }
    expect(failed).toEqual(
      Array(2).fill(expect.objectContaining({ reason: 'invalid_payload', willRetry: false })),
    );
    expect(emulator.requests).toHaveLength(0);
  });

  it('a signed body nested 100,000 levels deep → 200 failed, nothing sent', async () => {
    const failed: FailedInfo[] = [];
    const { emulator, bridge } = setup({
      hooks: { onFailed: (info) => failed.push(info) },
      maxBodyBytes: 4 * 1024 * 1024,
    });
    const event = JSON.stringify(purchaselyEvent('SUBSCRIPTION_RENEWED'));
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const body = `${event.slice(0, -1)},"extra":${deep}}`;
    const answer = await send(bridge, body);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'failed', reason: 'invalid_payload' });
    expect(failed).toEqual([expect.objectContaining({ willRetry: false })]);
    expect(emulator.requests).toHaveLength(0);
  });
});

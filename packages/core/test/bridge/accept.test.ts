import { purchaselyEvent } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { eventIdFor } from '../../src/index.js';
import { setup } from './helpers.js';

describe('bridge.accept: a raw body through the live policy, with no signature or claim', () => {
  it('accepts what a live webhook would forward, and sends or stores nothing', async () => {
    const { emulator, bridge } = setup();
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-accept' });
    const result = await bridge.accept(JSON.stringify(event));
    expect(result).toMatchObject({
      status: 'accepted',
      event: {
        key: event.event_id,
        eventId: event.event_id,
        customerioEvent: 'SUBSCRIPTION_RENEWED',
        workspace: 'production',
        identity: { kind: 'person', identifier: { id: 'u-accept' } },
      },
    });
    expect(emulator.requests).toHaveLength(0);
    // Accepting it twice is not a duplicate: accept claims nothing.
    expect((await bridge.accept(JSON.stringify(event))).status).toBe('accepted');
  });

  it('skips for the same reasons as a live webhook', async () => {
    const { bridge } = setup({ events: ['SUBSCRIPTION_RENEWED'] });
    const skipped = async (body: object) => bridge.accept(JSON.stringify(body));
    expect(await skipped(purchaselyEvent('SUBSCRIPTION_STARTED'))).toMatchObject({
      status: 'skipped',
      reason: 'event_disabled',
      eventName: 'SUBSCRIPTION_STARTED',
    });
    expect(
      await skipped(purchaselyEvent('SUBSCRIPTION_RENEWED', { environment: 'SANDBOX' })),
    ).toMatchObject({ status: 'skipped', reason: 'sandbox' });
    expect(
      await skipped(purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: undefined })),
    ).toMatchObject({ status: 'skipped', reason: 'no_identity' });
    expect(
      await skipped({ ...purchaselyEvent('SUBSCRIPTION_RENEWED'), event_name: 'NEW_ONE' }),
    ).toMatchObject({ status: 'skipped', reason: 'unknown_event' });
  });

  it('says why a body is invalid', async () => {
    const { bridge } = setup({ maxBodyBytes: 5000 });
    expect(await bridge.accept('{not json')).toMatchObject({
      status: 'invalid',
      code: 'invalid_json',
    });
    expect(await bridge.accept('{"api_version": 3}')).toMatchObject({
      status: 'invalid',
      code: 'invalid_payload',
    });
    expect(await bridge.accept(`"${'x'.repeat(6000)}"`)).toMatchObject({
      status: 'invalid',
      code: 'payload_too_large',
    });
  });

  it('an identify resolver that throws gives identify_failed, never a throw', async () => {
    const { bridge } = setup({
      identify: () => {
        throw new Error('database down');
      },
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    expect(await bridge.accept(JSON.stringify(event))).toMatchObject({
      status: 'identify_failed',
      eventId: event.event_id,
    });
  });

  it('an old payload without event_id shows the ULID, never the fallback key', async () => {
    const { bridge } = setup();
    const event = purchaselyEvent('SUBSCRIPTION_STARTED', {
      event_id: undefined,
      user_id: undefined,
    });
    const result = await bridge.accept(JSON.stringify(event));
    expect(result.status).toBe('skipped');
    if (result.status !== 'skipped') return;
    expect(result.eventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(result.eventId).toBe(
      eventIdFor(
        [
          'fallback',
          event.event_name,
          event.store_original_transaction_id,
          event.store_transaction_id,
          event.event_created_at_ms,
          '',
        ].join(':'),
        event.event_created_at_ms,
      ),
    );
  });
});

describe('bridge.deliver with { events: false }: attributes only', () => {
  it("sends each person's one attribute update and no events; a rerun with events keeps original times and ids", async () => {
    const { emulator, bridge } = setup();
    const created = Date.UTC(2023, 0, 15, 12);
    const bodies = [
      purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: 'u1', event_created_at_ms: created }),
      purchaselyEvent('SUBSCRIPTION_RENEWED', {
        user_id: 'u1',
        event_created_at_ms: created + 86_400_000,
      }),
      purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: 'u2', event_created_at_ms: created }),
    ];
    const accepted = [];
    for (const body of bodies) {
      const result = await bridge.accept(JSON.stringify(body));
      if (result.status === 'accepted') accepted.push(result.event);
    }
    const outcomes = await bridge.deliver(accepted, { events: false });
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);
    expect(emulator.events).toHaveLength(0);
    expect(emulator.people.get('u1')?.updates).toHaveLength(1);
    expect(emulator.people.get('u2')?.updates).toHaveLength(1);
    expect(emulator.people.get('u1')?.updates[0]?.timestamp).toBe(
      Math.floor((created + 86_400_000) / 1000),
    );

    await bridge.deliver(accepted);
    await bridge.deliver(accepted);
    expect(emulator.events).toHaveLength(3);
    expect(emulator.stats.duplicateEvents).toBe(3);
    expect(emulator.events.map((event) => [event.id, event.timestamp])).toEqual(
      expect.arrayContaining(
        bodies.map((body) => [
          eventIdFor(body.event_id as string, body.event_created_at_ms),
          Math.floor(body.event_created_at_ms / 1000),
        ]),
      ),
    );
  });

  it('an anonymous event has nothing to send: delivered with nothingSent, no request', async () => {
    const { emulator, bridge } = setup();
    const result = await bridge.accept(
      JSON.stringify(
        purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: undefined, anonymous_user_id: 'a1' }),
      ),
    );
    if (result.status !== 'accepted') throw new Error(`expected accepted, got ${result.status}`);
    expect(await bridge.deliver([result.event], { events: false })).toEqual([
      { key: result.event.key, status: 'delivered', nothingSent: true },
    ]);
    expect(emulator.requests).toHaveLength(0);
  });
});

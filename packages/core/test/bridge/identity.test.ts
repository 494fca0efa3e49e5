import { purchaselyEvent } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import type { BridgeHooks } from '../../src/index.js';
import { recordingLogger, send, setup } from './helpers.js';

type FailedInfo = Parameters<NonNullable<BridgeHooks['onFailed']>>[0];

describe('one user, one Customer.io person, whatever the payload’s shape', () => {
  it.each([
    ['an id with an @', 'ada@example.com'],
    ['an id starting with cio_', 'cio_42'],
    ['a plain id', 'user-7'],
  ])('%s: events with and without anonymous history reach the same person', async (_, userId) => {
    const { emulator, bridge } = setup();
    await send(bridge, purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: userId }));
    await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: userId, anonymous_user_id: 'anon-7' }),
    );
    expect(emulator.people.size).toBe(1);
    const person = emulator.people.get(userId);
    expect(person?.id).toBe(userId);
    expect(person?.email).toBeUndefined();
    expect(emulator.events.map((e) => [e.personId, e.name])).toEqual([
      [userId, 'SUBSCRIPTION_STARTED'],
      [userId, 'SUBSCRIPTION_RENEWED'],
    ]);
    // Every person operation is v2, addressed by id; v1 only ever carries the merge.
    for (const request of emulator.requests.filter((r) => r.path.startsWith('/api/v1/'))) {
      expect(JSON.parse(request.body)).toEqual({
        anonymous_id: 'anon-7',
        _timestamp: expect.any(Number),
      });
    }
  });

  it.each(['ada@example.com', 'cio_42'])(
    '%s with anonymous history: delivered, the merge not attempted, and said in the log, the hook and the answer',
    async (userId) => {
      const logger = recordingLogger();
      const failed: FailedInfo[] = [];
      const { emulator, bridge } = setup({
        logger,
        hooks: { onFailed: (info) => failed.push(info) },
      });
      const event = purchaselyEvent('SUBSCRIPTION_RENEWED', {
        user_id: userId,
        anonymous_user_id: 'anon-7',
      });
      const answer = await send(bridge, event);

      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ status: 'forwarded', anonymous_merge: 'unsupported' });
      expect(emulator.requests.map((r) => r.path)).toEqual(['/api/v2/batch']);
      expect(emulator.people.get(userId)?.attributes).toMatchObject({ plan: 'monthly' });
      expect(emulator.events).toEqual([
        expect.objectContaining({ personId: userId, name: 'SUBSCRIPTION_RENEWED' }),
      ]);
      expect(failed).toEqual([
        expect.objectContaining({ event, reason: 'anonymous_merge_unsupported', willRetry: false }),
      ]);
      expect(logger.calls).toContainEqual(
        expect.objectContaining({ level: 'warn', message: expect.stringContaining('not merged') }),
      );
    },
  );

  it('an email identifier from a resolver is merged on v1 by email, the same person as v2 { email }', async () => {
    const { emulator, bridge } = setup({ identify: () => ({ email: 'ada@example.com' }) });
    const answer = await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-1', anonymous_user_id: 'anon-1' }),
    );
    expect(answer.json).not.toHaveProperty('anonymous_merge');
    expect(emulator.requests.map((r) => r.path)).toEqual([
      '/api/v2/batch',
      '/api/v1/customers/ada%40example.com',
    ]);
    expect(emulator.people.size).toBe(1);
  });
});

describe('transfers', () => {
  const subscription = {
    purchasely_subscription_id: 'subs_transfer',
    store_original_transaction_id: 'orig-transfer',
  };

  it('a purchase made before login: its anonymous history joins the receiver; the giver event is not sent', async () => {
    const { emulator, bridge } = setup();
    const t0 = Date.now() - 60_000;
    const anonymous = { user_id: null, anonymous_user_id: 'anon-before-login', ...subscription };
    await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_STARTED', { ...anonymous, event_created_at_ms: t0 }),
    );
    const given = await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_TRANSFERRED', {
        ...anonymous,
        subscription_status: 'DEACTIVATED',
        transferred_to_user_id: 'jeff',
        event_created_at_ms: t0 + 1000,
      }),
    );
    const received = await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_RECEIVED', {
        ...subscription,
        user_id: 'jeff',
        subscription_status: 'AUTO_RENEWING',
        transferred_from_anonymous_user_id: 'anon-before-login',
        event_created_at_ms: t0 + 1001,
      }),
    );

    expect(given.json).toMatchObject({ status: 'skipped', reason: 'transfer_giver' });
    expect(received.json).toMatchObject({ status: 'forwarded' });
    expect(emulator.people.size).toBe(1);
    expect(emulator.people.get('jeff')?.attributes).toMatchObject({
      has_active_subscription: true,
      subscription_status: 'AUTO_RENEWING',
    });
    expect(emulator.events.map((e) => [e.personId, e.name])).toEqual([
      ['jeff', 'SUBSCRIPTION_STARTED'],
      ['jeff', 'SUBSCRIPTION_RECEIVED'],
    ]);
  });

  it('between two known users: the giver is told, the receiver gains, and their histories stay apart', async () => {
    const { emulator, bridge } = setup();
    await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_TRANSFERRED', {
        ...subscription,
        user_id: 'ada',
        subscription_status: 'DEACTIVATED',
        transferred_to_user_id: 'jeff',
      }),
    );
    await send(
      bridge,
      purchaselyEvent('SUBSCRIPTION_RECEIVED', {
        ...subscription,
        user_id: 'jeff',
        subscription_status: 'AUTO_RENEWING',
        transferred_from_user_id: 'ada',
      }),
    );
    expect(emulator.people.get('ada')?.attributes).toMatchObject({
      has_active_subscription: false,
    });
    expect(emulator.people.get('jeff')?.attributes).toMatchObject({
      has_active_subscription: true,
    });
    expect(emulator.events.map((e) => [e.personId, e.name])).toEqual([
      ['ada', 'SUBSCRIPTION_TRANSFERRED'],
      ['jeff', 'SUBSCRIPTION_RECEIVED'],
    ]);
    expect(emulator.requests.some((r) => r.path.startsWith('/api/v1/'))).toBe(false);
  });

  it('a *_TRANSFERRED event that a resolver would give to the receiver is not sent', async () => {
    const { emulator, bridge } = setup({ identify: () => 'jeff' });
    const answer = await send(
      bridge,
      purchaselyEvent('ONE_TIME_PURCHASE_TRANSFERRED', {
        user_id: 'ada',
        transferred_to_user_id: 'jeff',
      }),
    );
    expect(answer.json).toMatchObject({ status: 'skipped', reason: 'transfer_giver' });
    expect(emulator.requests).toHaveLength(0);
  });
});

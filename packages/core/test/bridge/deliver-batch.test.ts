import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import type { AcceptedEvent, DeliveryQueue, PurchaselyBridge } from '../../src/index.js';
import { SECRET, setup } from './helpers.js';

/**
 * A queue for tests only: it keeps what receive hands it, so the test can call deliver with batches as a
 * queue engine would. (A product queue must be durable; see the README.)
 */
function collectingQueue(): DeliveryQueue & { events: AcceptedEvent[] } {
  const events: AcceptedEvent[] = [];
  return {
    events,
    enqueue: async (batch) => {
      // Through JSON, as a queue stores them: what deliver gets must survive it.
      events.push(...(JSON.parse(JSON.stringify(batch)) as AcceptedEvent[]));
    },
  };
}

async function receiveAll(bridge: PurchaselyBridge, bodies: object[]) {
  const answers = [];
  for (const body of bodies) {
    const webhook = await signedPurchaselyWebhook({ secret: SECRET, body: body as never });
    const answer = await bridge.handle({ method: 'POST', ...webhook });
    answers.push(JSON.parse(answer.body) as Record<string, unknown>);
  }
  return answers;
}

describe('deliver: a batch of accepted events from many people', () => {
  it('300 events of 100 users: queued by receive, then delivered in a handful of requests, one outcome each', async () => {
    const queue = collectingQueue();
    const { emulator, bridge } = setup({ queue });
    const base = Date.now() - 3_600_000;
    const bodies = Array.from({ length: 300 }, (_, i) =>
      purchaselyEvent(i % 3 === 0 ? 'SUBSCRIPTION_STARTED' : 'SUBSCRIPTION_RENEWED', {
        user_id: `user-${i % 100}`,
        event_created_at_ms: base + i * 1000,
        purchasely_subscription_id: `subs-${i % 100}`,
      }),
    );
    const answers = await receiveAll(bridge, bodies);
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set(['queued']));
    expect(emulator.requests).toHaveLength(0);
    expect(queue.events).toHaveLength(300);

    const outcomes = await bridge.deliver(queue.events);
    expect(outcomes.map((outcome) => outcome.key)).toEqual(queue.events.map((event) => event.key));
    expect(new Set(outcomes.map((outcome) => outcome.status))).toEqual(new Set(['delivered']));
    // 100 attribute updates and 300 events, split only by Customer.io's size limits.
    expect(emulator.requests.length).toBeLessThanOrEqual(5);
    expect(emulator.requests.every((request) => request.path === '/api/v2/batch')).toBe(true);
    expect(emulator.events).toHaveLength(300);
    expect(emulator.people.size).toBe(100);
    // user-7's events are numbers 7, 107 and 207: the newest, 207, is a start (207 % 3 === 0).
    expect(emulator.people.get('user-7')?.attributes).toMatchObject({
      has_active_subscription: true,
      last_event: 'SUBSCRIPTION_STARTED',
    });

    // Re-delivered by the queue (a retry after a crash, say): Customer.io drops the events by their ids.
    await bridge.deliver(queue.events.slice(0, 10));
    expect(emulator.events).toHaveLength(300);
  });

  it('maps each 207 failure back to its event: only that event fails; a failed person update fails their events', async () => {
    const queue = collectingQueue();
    const { emulator, bridge } = setup({ queue });
    await receiveAll(
      bridge,
      Array.from({ length: 6 }, (_, i) =>
        purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `u-${Math.floor(i / 2)}` }),
      ),
    );
    // Operations: [identify u-0, event, event, identify u-1, event, event, identify u-2, event, event].
    emulator.faults.next(
      { match: { path: '/api/v2/batch' } },
      {
        status: 207,
        body: JSON.stringify({
          errors: [
            { batch_index: 2, reason: 'invalid', message: 'event refused' },
            { batch_index: 6, reason: 'invalid', message: 'attributes refused' },
          ],
        }),
      },
    );
    const outcomes = await bridge.deliver(queue.events);
    const byUser = outcomes.map((outcome, index) => [
      queue.events[index]?.event.user_id,
      outcome.status,
    ]);
    expect(byUser).toEqual([
      ['u-0', 'delivered'],
      ['u-0', 'failed'],
      ['u-1', 'delivered'],
      ['u-1', 'delivered'],
      ['u-2', 'failed'],
      ['u-2', 'failed'],
    ]);
    expect(outcomes[1]).toMatchObject({ reason: 'customerio_rejected' });
  });

  it('an operation over a Customer.io limit fails its own events; the rest of the batch is sent', async () => {
    const queue = collectingQueue();
    const { emulator, bridge } = setup({ queue });
    await receiveAll(bridge, [
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-fine' }),
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-big', plan: 'x'.repeat(1001) }),
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-fine-too' }),
    ]);
    const outcomes = await bridge.deliver(queue.events);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['delivered', 'failed', 'delivered']);
    expect([...emulator.people.keys()].sort()).toEqual(['u-fine', 'u-fine-too']);
  });

  it('Customer.io down: every event of the batch is to be retried, with the reason', async () => {
    const queue = collectingQueue();
    const { emulator, bridge } = setup({ queue }, { retry: false });
    await receiveAll(bridge, [
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'a' }),
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'b' }),
    ]);
    emulator.faults.next({ status: 503 });
    const outcomes = await bridge.deliver(queue.events);
    expect(outcomes).toEqual([
      expect.objectContaining({ status: 'retry', reason: 'unavailable' }),
      expect.objectContaining({ status: 'retry', reason: 'unavailable' }),
    ]);
  });

  it('a queue that cannot take the event → 503 queue_unavailable; the claim is released', async () => {
    let down = true;
    const stored: AcceptedEvent[] = [];
    const { bridge } = setup({
      queue: {
        enqueue: async (events) => {
          if (down) throw new Error('redis down');
          stored.push(...events);
        },
      },
    });
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED');
    const [first] = await receiveAll(bridge, [event]);
    expect(first).toMatchObject({ error: 'queue_unavailable' });
    down = false;
    const [second] = await receiveAll(bridge, [event]);
    expect(second).toMatchObject({ status: 'queued' });
    expect(stored).toHaveLength(1);
    const [third] = await receiveAll(bridge, [event]);
    expect(third).toMatchObject({ status: 'duplicate' });
  });
});

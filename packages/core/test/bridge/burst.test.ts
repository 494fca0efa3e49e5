import { purchaselyEvent, signedPurchaselyWebhook } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { SECRET, setup } from './helpers.js';

describe('a burst above the rate limit', () => {
  it('is answered 503 at once beyond what fits in the delivery budget, and nothing refused is sent later', async () => {
    // 10 requests/s and a 1 s budget: about 10 of 60 simultaneous webhooks fit.
    const { emulator, bridge } = setup(
      { deliveryBudgetMs: 1000 },
      { rateLimit: { requestsPerSecond: 10 } },
    );
    const events = Array.from({ length: 60 }, (_, i) =>
      purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: `u-burst-${i}` }),
    );
    const webhooks = await Promise.all(
      events.map((body) => signedPurchaselyWebhook({ secret: SECRET, body })),
    );
    const answers = await Promise.all(
      webhooks.map(async (webhook) => {
        const answer = await bridge.handle({ method: 'POST', ...webhook });
        return { status: answer.status, json: JSON.parse(answer.body) as Record<string, unknown> };
      }),
    );

    const forwarded = answers.filter((a) => a.json.status === 'forwarded');
    const refused = answers.filter((a) => a.status === 503);
    expect(forwarded.length + refused.length).toBe(events.length);
    expect(forwarded.length).toBeGreaterThan(0);
    expect(forwarded.length).toBeLessThanOrEqual(12);
    // Refused for the rate limit, not after waiting out the budget.
    expect(new Set(refused.map((a) => a.json.reason))).toEqual(new Set(['rate_limited']));

    // Long after every slot the refused requests would have had: still only the forwarded events.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const delivered = new Set(emulator.events.map((event) => event.personId));
    expect(delivered.size).toBe(forwarded.length);
    expect(emulator.requests).toHaveLength(forwarded.length);
  });

  it('an in-flight delivery that outlives the budget is aborted with the 503, and never applied', async () => {
    // A per-request timeout longer than the budget: only the bridge's own abort can stop the request.
    const { emulator, bridge } = setup({ deliveryBudgetMs: 300 }, { timeoutMs: 5000 });
    emulator.faults.next({ delayMs: 1000 });
    const webhook = await signedPurchaselyWebhook({
      secret: SECRET,
      body: purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-slow' }),
    });
    const answer = await bridge.handle({ method: 'POST', ...webhook });
    expect(answer.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(emulator.events).toHaveLength(0);
    expect(emulator.people.size).toBe(0);
  });
});

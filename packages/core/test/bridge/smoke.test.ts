import {
  createCustomerIoEmulator,
  purchaselyEvent,
  signedPurchaselyRequest,
} from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { createPurchaselyBridge } from '../../src/index.js';

const secret = 'purchasely-secret';

function setup() {
  const emulator = createCustomerIoEmulator({
    workspaces: [{ siteId: 'site', apiKey: 'key', region: 'us' }],
  });
  const bridge = createPurchaselyBridge({
    webhookSecret: secret,
    customerio: {
      siteId: 'site',
      apiKey: 'key',
      region: 'us',
      fetch: emulator.fetch,
      rateLimit: false,
    },
    names: { SUBSCRIPTION_RENEWED: 'subscription_renewed' },
  });
  return { emulator, bridge };
}

describe('bridge smoke', () => {
  it('forwards a signed renewal as one batch: attributes, then the renamed event', async () => {
    const { emulator, bridge } = setup();
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'user-1' });
    const response = await bridge.fetch(await signedPurchaselyRequest({ secret, body: event }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'forwarded',
      customerio_event: 'subscription_renewed',
    });
    expect(emulator.requests.map((request) => request.path)).toEqual(['/api/v2/batch']);
    expect(emulator.people.get('user-1')?.attributes).toMatchObject({
      plan: 'monthly',
      has_active_subscription: true,
    });
    expect(emulator.events).toEqual([
      expect.objectContaining({ personId: 'user-1', name: 'subscription_renewed' }),
    ]);
  });

  it('answers 401 to an unsigned request and forwards nothing', async () => {
    const { emulator, bridge } = setup();
    const response = await bridge.handle({ method: 'POST', headers: {}, body: '{}' });
    expect(response.status).toBe(401);
    expect(emulator.requests).toHaveLength(0);
  });
});

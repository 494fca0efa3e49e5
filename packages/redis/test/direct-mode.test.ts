import { createPurchaselyBridge, type PurchaselyBridge } from '@purchasely-customerio/core';
import {
  createCustomerIoEmulator,
  purchaselyEvent,
  signedPurchaselyWebhook,
} from '@purchasely-customerio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter, createRedisStore } from '../src/index.js';
import { connect, type TestClient } from './clients.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

const SECRET = 'direct-mode-secret';

describe('direct mode with the Redis store: two instances share dedup, state and the rate limit', () => {
  let server: RedisServer;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    clients.push(await connect('ioredis 5', server), await connect('node-redis 5', server));
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await server?.stop();
  });

  /** Two bridges, as two instances would run them, on one Redis and one Customer.io workspace. */
  function twoInstances() {
    const emulator = createCustomerIoEmulator({
      workspaces: [{ siteId: 'site', apiKey: 'key', region: 'us' }],
    });
    const prefix = `direct:${crypto.randomUUID()}:`;
    const instances = clients.map((client) =>
      createPurchaselyBridge({
        webhookSecret: SECRET,
        logger: false,
        store: createRedisStore({ redis: client.commands, prefix }),
        customerio: {
          siteId: 'site',
          apiKey: 'key',
          region: 'us',
          fetch: emulator.fetch,
          rateLimit: createRedisRateLimiter({ redis: client.commands, workspace: 'site', prefix }),
        },
      }),
    );
    return { emulator, instances };
  }

  async function send(bridge: PurchaselyBridge, body: object) {
    const webhook = await signedPurchaselyWebhook({ secret: SECRET, body: body as never });
    const answer = await bridge.handle({ method: 'POST', ...webhook });
    return { status: answer.status, json: JSON.parse(answer.body) as Record<string, unknown> };
  }

  it('the same event at both instances at once is delivered once', async () => {
    const { emulator, instances } = twoInstances();
    const event = purchaselyEvent('SUBSCRIPTION_RENEWED', { user_id: 'u-twice' });
    const answers = await Promise.all(instances.map((bridge) => send(bridge, event)));
    const kinds = answers.map((answer) => answer.json.status ?? answer.json.error).sort();
    // One delivers; the other sees it in progress (503, Purchasely re-delivers) or already done.
    expect(kinds[0]).toBe('forwarded');
    expect(['duplicate', 'in_progress']).toContain(kinds[1]);
    expect(emulator.events).toHaveLength(1);
    // The re-delivery, to either instance, is a duplicate.
    for (const bridge of instances) {
      expect((await send(bridge, event)).json).toMatchObject({ status: 'duplicate' });
    }
    expect(emulator.events).toHaveLength(1);
  });

  it("one person's events split between the instances build one state: attributes describe both subscriptions", async () => {
    const { emulator, instances } = twoInstances();
    const [first, second] = instances as [PurchaselyBridge, PurchaselyBridge];
    const now = Date.now();
    await send(
      first,
      purchaselyEvent('SUBSCRIPTION_STARTED', {
        user_id: 'u-split',
        purchasely_subscription_id: 'news',
        product: 'NEWS_PLUS',
        event_created_at_ms: now - 60_000,
      }),
    );
    await send(
      second,
      purchaselyEvent('SUBSCRIPTION_STARTED', {
        user_id: 'u-split',
        purchasely_subscription_id: 'games',
        product: 'GAMES_PLUS',
        event_created_at_ms: now - 30_000,
      }),
    );
    expect(emulator.people.get('u-split')?.attributes).toMatchObject({
      active_subscriptions: 2,
      active_products: 'GAMES_PLUS,NEWS_PLUS',
    });
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isUlid } from '../../src/customerio/ulid.js';
import { eventIdFor, type PurchaselyBridgeConfig } from '../../src/index.js';
import { eventFixtures, fixture, legacyV2Body } from '../fixtures.js';
import { API_KEY, SECRET, SITE_ID, send, setup } from './helpers.js';

const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/purchasely/signature-vectors.json', import.meta.url), 'utf8'),
) as {
  current: { secret: string; timestamp: string; body: string; signature: string };
  deprecated: { secret: string; timestamp: string; signature: string };
};

/** The published fixtures are sandbox events from 2022–2023: forward them, with overrides. */
const config = {
  sandbox: 'forward',
  names: {
    SUBSCRIPTION_RENEWED: 'subscription_renewed',
    TRANSACTION_PROCESSED: 'purchase',
    SUBSCRIPTION_TRANSFERRED: 'subscription_transferred',
  },
  userProperties: { rename: { plan: 'subscription_plan' }, prefix: 'ply_' },
} satisfies Partial<PurchaselyBridgeConfig>;

const expectedName: Record<string, string> = {
  'activate.json': 'ACTIVATE',
  'deactivate.json': 'DEACTIVATE',
  'subscription-renewed.json': 'subscription_renewed',
  'subscription-started.json': 'SUBSCRIPTION_STARTED',
  'subscription-terminated.json': 'SUBSCRIPTION_TERMINATED',
  'subscription-transferred.json': 'subscription_transferred',
  'transaction-processed.json': 'purchase',
};

const ACTIVE = new Set(['AUTO_RENEWING', 'IN_GRACE_PERIOD', 'ON_HOLD', 'AUTO_RENEWING_CANCELED']);

/**
 * The person attributes the default mapping gives a fixture (the person's only event), after the rename
 * and the prefix: every attribute, each with its value or empty (removed).
 */
function expectedAttributes(event: Record<string, unknown>): Record<string, unknown> {
  const seconds = (ms: unknown) => (typeof ms === 'number' ? Math.floor(ms / 1000) : '');
  const active = ACTIVE.has(event.subscription_status as string);
  const attributes: Record<string, unknown> = {
    ply_user_id: event.user_id,
    ply_anonymous_user_id: event.anonymous_user_id,
    ply_has_active_subscription: active,
    ply_active_subscriptions: active ? 1 : 0,
    ply_active_products: active ? event.product : '',
    ply_environment: event.environment,
    ply_store: event.store,
    ply_store_country: event.store_country,
    ply_store_product_id: event.store_product_id,
    ply_product: event.product,
    ply_subscription_plan: event.plan,
    ply_subscription_status: event.subscription_status,
    ply_offer_type: event.offer_type,
    // No fixture is a running promotional offer: the attribute is cleared.
    ply_promotional_offer_id: '',
    ply_is_family_shared: event.is_family_shared,
    ply_content_id: event.content_id,
    ply_purchased_at: seconds(event.purchased_at_ms),
    ply_original_purchased_at: seconds(event.original_purchased_at_ms),
    ply_effective_next_renewal_at: active ? seconds(event.effective_next_renewal_at_ms) : '',
    ply_last_event: event.event_name,
  };
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) attributes[key] = '';
  }
  return attributes;
}

const personFixtures = [
  'activate.json',
  'deactivate.json',
  'subscription-renewed.json',
  'subscription-terminated.json',
  'transaction-processed.json',
];
const anonymousFixtures = ['subscription-started.json'];
/** Sent for an anonymous giver: never forwarded (see the transfer tests). */
const transferGiverFixtures = ['subscription-transferred.json'];

describe('published fixtures through bridge.handle', () => {
  it('covers every published event fixture', () => {
    expect([...eventFixtures.keys()].sort()).toEqual(
      [...personFixtures, ...anonymousFixtures, ...transferGiverFixtures].sort(),
    );
  });

  it.each(personFixtures)('%s: one v2 batch, identify then the event', async (file) => {
    const { emulator, bridge } = setup({ ...config, events: 'all' });
    const event = fixture(file);
    const answer = await send(bridge, eventFixtures.get(file) as string);

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      status: 'forwarded',
      event_id: event.event_id,
      event_name: event.event_name,
      customerio_event: expectedName[file],
    });

    const timestamp = Math.floor((event.event_created_at_ms as number) / 1000);
    const id = eventIdFor(event.event_id as string, event.event_created_at_ms as number);
    expect(isUlid(id)).toBe(true);
    expect(emulator.requests.map((r) => [r.method, r.path, r.status, r.siteId])).toEqual([
      ['POST', '/api/v2/batch', 200, SITE_ID],
    ]);
    expect(JSON.parse(emulator.requests[0]?.body ?? '')).toEqual({
      batch: [
        {
          type: 'person',
          action: 'identify',
          identifiers: { id: 'toto' },
          attributes: expectedAttributes(event),
          timestamp,
        },
        {
          type: 'person',
          action: 'event',
          identifiers: { id: 'toto' },
          name: expectedName[file],
          id,
          timestamp,
          attributes: event,
        },
      ],
    });
    // An empty value removes the attribute: the person holds only the others.
    expect(emulator.people.get('toto')?.attributes).toEqual(
      Object.fromEntries(Object.entries(expectedAttributes(event)).filter(([, v]) => v !== '')),
    );
    expect(emulator.events).toEqual([
      expect.objectContaining({ personId: 'toto', name: expectedName[file], id, timestamp }),
    ]);
  });

  it('renewal: attribute names are renamed and prefixed, never raw', async () => {
    const { emulator, bridge } = setup(config);
    await send(bridge, eventFixtures.get('subscription-renewed.json') as string);
    const attributes = emulator.people.get('toto')?.attributes ?? {};
    expect(attributes).toMatchObject({
      ply_subscription_plan: 'monthly',
      ply_has_active_subscription: true,
      ply_last_event: 'SUBSCRIPTION_RENEWED',
      ply_purchased_at: 1702390391,
    });
    expect(Object.keys(attributes).every((key) => key.startsWith('ply_'))).toBe(true);
    expect(attributes).not.toHaveProperty('ply_plan');
  });

  it.each(anonymousFixtures)(
    '%s: only anonymous_user_id → one anonymous v1 event',
    async (file) => {
      const { emulator, bridge } = setup(config);
      const event = fixture(file);
      const answer = await send(bridge, eventFixtures.get(file) as string);

      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        status: 'forwarded',
        customerio_event: expectedName[file],
      });
      const timestamp = Math.floor((event.event_created_at_ms as number) / 1000);
      const id = eventIdFor(event.event_id as string, event.event_created_at_ms as number);
      expect(isUlid(id)).toBe(true);
      expect(emulator.requests.map((r) => [r.method, r.path, r.status])).toEqual([
        ['POST', '/api/v1/events', 200],
      ]);
      expect(JSON.parse(emulator.requests[0]?.body ?? '')).toEqual({
        name: expectedName[file],
        id,
        anonymous_id: event.anonymous_user_id,
        timestamp,
        data: event,
      });
      expect(emulator.people.size).toBe(0);
      expect(emulator.events).toEqual([
        expect.objectContaining({
          anonymousId: event.anonymous_user_id,
          name: expectedName[file],
          id,
          timestamp,
        }),
      ]);
      expect(emulator.events[0]?.personId).toBeUndefined();
    },
  );

  it('subscription-transferred.json (an anonymous giver): acknowledged, skipped, nothing sent', async () => {
    const { emulator, bridge } = setup(config);
    const answer = await send(bridge, eventFixtures.get('subscription-transferred.json') as string);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'skipped', reason: 'transfer_giver' });
    expect(emulator.requests).toHaveLength(0);
  });

  it('user_id + anonymous_user_id: a v1 merge carrying only anonymous_id, then the same v2 batch as any person', async () => {
    const { emulator, bridge } = setup(config);
    const event: Record<string, unknown> = {
      ...fixture('subscription-started.json'),
      user_id: 'user-merged',
    };
    const answer = await send(bridge, event);

    expect(answer.json).toMatchObject({ status: 'forwarded' });
    expect(answer.json).not.toHaveProperty('anonymous_merge');
    const timestamp = Math.floor((event.event_created_at_ms as number) / 1000);
    expect(emulator.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/api/v2/batch', 200],
      ['PUT', '/api/v1/customers/user-merged', 200],
    ]);
    expect(JSON.parse(emulator.requests[1]?.body ?? '')).toEqual({
      anonymous_id: event.anonymous_user_id,
      _timestamp: timestamp,
    });
    expect(JSON.parse(emulator.requests[0]?.body ?? '').batch).toEqual([
      expect.objectContaining({
        action: 'identify',
        identifiers: { id: 'user-merged' },
        attributes: expectedAttributes(event),
      }),
      expect.objectContaining({
        action: 'event',
        identifiers: { id: 'user-merged' },
        name: 'SUBSCRIPTION_STARTED',
      }),
    ]);
    expect(emulator.people.size).toBe(1);
    expect(emulator.events).toEqual([
      expect.objectContaining({ personId: 'user-merged', name: 'SUBSCRIPTION_STARTED' }),
    ]);
  });

  it.each([
    ['activate.json', 'ACTIVATE'],
    ['deactivate.json', 'DEACTIVATE'],
  ])('%s is skipped by default (event_disabled) and nothing is sent', async (file, name) => {
    const { emulator, bridge } = setup(config);
    const answer = await send(bridge, eventFixtures.get(file) as string);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      status: 'skipped',
      reason: 'event_disabled',
      event_id: fixture(file).event_id,
      event_name: name,
    });
    expect(emulator.requests).toHaveLength(0);
  });

  it('the legacy v2 body (completed) → 400 with the migration message', async () => {
    const { emulator, bridge } = setup(config);
    const completed = `${legacyV2Body.trimEnd()}\n}`;
    expect(() => JSON.parse(completed)).not.toThrow();
    const answer = await send(bridge, completed);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'invalid_body', code: 'legacy_api_version' });
    expect(answer.json.message).toMatch(/api_version 2/);
    expect(answer.json.message).toMatch(/switch the webhook version to 3/);
    expect(emulator.requests).toHaveLength(0);
  });

  it('the legacy v2 body as published (truncated) → 400 invalid_json', async () => {
    const { bridge } = setup(config);
    const answer = await send(bridge, legacyV2Body);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'invalid_body', code: 'invalid_json' });
  });

  it('the current signature vector verifies; its body is not a v3 event → 200 failed + onFailed', async () => {
    const failed: unknown[] = [];
    const { emulator, bridge } = setup({
      webhookSecret: vectors.current.secret,
      signature: { now: () => Number(vectors.current.timestamp) * 1000 },
      hooks: { onFailed: (info) => failed.push(info) },
    });
    const answer = await bridge.handle({
      method: 'POST',
      headers: {
        'X-PURCHASELY-REQUEST-SIGNATURE': vectors.current.signature,
        'X-PURCHASELY-TIMESTAMP': vectors.current.timestamp,
      },
      body: vectors.current.body,
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'failed', reason: 'invalid_payload' });
    expect(failed).toEqual([
      expect.objectContaining({ reason: 'invalid_payload', willRetry: false }),
    ]);
    expect(emulator.requests).toHaveLength(0);
  });

  it('the current signature vector with one byte changed → 401 signature_mismatch', async () => {
    const { bridge } = setup({
      webhookSecret: vectors.current.secret,
      signature: { now: () => Number(vectors.current.timestamp) * 1000 },
    });
    const answer = await bridge.handle({
      method: 'POST',
      headers: {
        'x-purchasely-request-signature': vectors.current.signature,
        'x-purchasely-timestamp': vectors.current.timestamp,
      },
      body: vectors.current.body.replace('ad', 'ae'),
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_signature',
      reason: 'signature_mismatch',
    });
  });

  it('the deprecated signature vector: 401 by default, accepted when allowed', async () => {
    const body = eventFixtures.get('subscription-renewed.json') as string;
    const request = {
      method: 'POST',
      headers: {
        'x-purchasely-signature': vectors.deprecated.signature,
        'x-purchasely-timestamp': vectors.deprecated.timestamp,
      },
      body,
    };
    const now = () => Number(vectors.deprecated.timestamp) * 1000;
    const strict = setup({
      ...config,
      webhookSecret: vectors.deprecated.secret,
      signature: { now },
    });
    const refused = await strict.bridge.handle(request);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({
      error: 'invalid_signature',
      reason: 'deprecated_signature_rejected',
    });
    expect(strict.emulator.requests).toHaveLength(0);

    const lenient = setup({
      ...config,
      webhookSecret: vectors.deprecated.secret,
      signature: { now, allowDeprecatedSignature: true },
    });
    const accepted = await lenient.bridge.handle(request);
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.body)).toMatchObject({ status: 'forwarded' });
    expect(lenient.emulator.events).toHaveLength(1);
  });

  it('fixtures signed with a wrong secret → 401 and nothing sent', async () => {
    const { emulator, bridge } = setup(config);
    for (const text of eventFixtures.values()) {
      const answer = await send(bridge, text, { secret: `${SECRET}-other` });
      expect(answer.status).toBe(401);
    }
    expect(emulator.requests).toHaveLength(0);
    expect(API_KEY).not.toBe(SECRET);
  });
});

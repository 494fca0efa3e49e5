import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type PersonState,
  PurchaselyBridgeConfigError,
  type PurchaselyEvent,
  USER_PROPERTY_NAMES,
} from '../../src/index.js';
import { purchaselyEventKey } from '../../src/mapping/event-key.js';
import { type PersonView, viewPerson } from '../../src/mapping/person-view.js';
import { toStateUpdates } from '../../src/mapping/state-updates.js';
import { createUserPropertyMapper } from '../../src/mapping/user-properties.js';
import { mergeSubscriptionUpdates } from '../../src/state/subscriptions.js';
import { event } from './helpers.js';

/** A person's state after these events, in this order, as the attributes read it. */
function stateOf(...events: PurchaselyEvent[]): PersonView {
  const state: PersonState = mergeSubscriptionUpdates(
    {},
    events.flatMap((e) => toStateUpdates(e, purchaselyEventKey(e))),
  );
  return viewPerson(state);
}

const map = createUserPropertyMapper();
const at = (minutes: number) => 1_702_390_000_000 + minutes * 60_000;

/** An event of one subscription at a time, with overrides. */
function subscriptionEvent(
  name: string,
  subscription: string,
  minutes: number,
  overrides: Record<string, unknown> = {},
): PurchaselyEvent {
  return event('subscription-renewed.json', {
    event_name: name,
    event_id: `${subscription}-${name}-${minutes}`,
    event_created_at_ms: at(minutes),
    purchasely_subscription_id: subscription,
    ...overrides,
  });
}

describe('user properties from the person’s state', () => {
  it('maps one renewal to the documented CRM properties, every one set or empty, dates in unix seconds', () => {
    expect(map(stateOf(event('subscription-renewed.json')))).toEqual({
      user_id: 'toto',
      anonymous_user_id: '',
      has_active_subscription: true,
      active_subscriptions: 1,
      active_products: 'PURCHASELY_PLUS',
      environment: 'SANDBOX',
      store: 'GOOGLE_PLAY_STORE',
      store_country: 'FR',
      store_product_id: 'com.purchasely.plus.monthly',
      product: 'PURCHASELY_PLUS',
      plan: 'monthly',
      subscription_status: 'AUTO_RENEWING',
      offer_type: 'NONE',
      promotional_offer_id: '',
      is_family_shared: false,
      content_id: '',
      purchased_at: 1702390391,
      original_purchased_at: 1702388896,
      effective_next_renewal_at: 1702390991,
      last_event: 'SUBSCRIPTION_RENEWED',
    });
  });

  describe('several subscriptions', () => {
    const news = (name: string, minutes: number, overrides: Record<string, unknown> = {}) =>
      subscriptionEvent(name, 'subs_news', minutes, { product: 'NEWS_PLUS', ...overrides });
    const games = (name: string, minutes: number, overrides: Record<string, unknown> = {}) =>
      subscriptionEvent(name, 'subs_games', minutes, { product: 'GAMES_PLUS', ...overrides });

    it('one ending while another renews: still active, and the current subscription is the one that renews', () => {
      const attributes = map(
        stateOf(
          news('SUBSCRIPTION_STARTED', 0, { effective_next_renewal_at_ms: at(60) }),
          games('SUBSCRIPTION_STARTED', 1, { effective_next_renewal_at_ms: at(90) }),
          news('SUBSCRIPTION_TERMINATED', 2, { subscription_status: 'DEACTIVATED' }),
        ),
      );
      expect(attributes).toMatchObject({
        has_active_subscription: true,
        active_subscriptions: 1,
        active_products: 'GAMES_PLUS',
        product: 'GAMES_PLUS',
        subscription_status: 'AUTO_RENEWING',
        last_event: 'SUBSCRIPTION_TERMINATED',
      });
    });

    it('both active: the current one is the one that renews last; the products are listed, sorted', () => {
      const attributes = map(
        stateOf(
          news('SUBSCRIPTION_RENEWED', 5, { effective_next_renewal_at_ms: at(200) }),
          games('SUBSCRIPTION_RENEWED', 6, { effective_next_renewal_at_ms: at(100) }),
        ),
      );
      expect(attributes).toMatchObject({
        active_subscriptions: 2,
        active_products: 'GAMES_PLUS,NEWS_PLUS',
        product: 'NEWS_PLUS',
        effective_next_renewal_at: Math.floor(at(200) / 1000),
      });
    });

    it('none active: the current one is the one that ended last', () => {
      const attributes = map(
        stateOf(
          games('SUBSCRIPTION_TERMINATED', 8, { subscription_status: 'DEACTIVATED' }),
          news('SUBSCRIPTION_TERMINATED', 3, { subscription_status: 'REVOKED' }),
        ),
      );
      expect(attributes).toMatchObject({
        has_active_subscription: false,
        active_subscriptions: 0,
        active_products: '',
        product: 'GAMES_PLUS',
        subscription_status: 'DEACTIVATED',
        effective_next_renewal_at: '',
      });
    });
  });

  it('a plan change: ACTIVATE (new plan) then DEACTIVATE (old plan) leaves a paying user active', () => {
    const attributes = map(
      stateOf(
        subscriptionEvent('SUBSCRIPTION_UPGRADED', 'subs_yearly', 10, {
          plan: 'yearly',
          from_purchasely_subscription_id: 'subs_monthly',
          previous_plan: 'monthly',
        }),
        subscriptionEvent('ACTIVATE', 'subs_yearly', 10, { plan: 'yearly' }),
        subscriptionEvent('DEACTIVATE', 'subs_monthly', 11, {
          plan: 'monthly',
          subscription_status: 'DEACTIVATED',
        }),
      ),
    );
    expect(attributes).toMatchObject({
      has_active_subscription: true,
      active_subscriptions: 1,
      plan: 'yearly',
    });
  });

  it('a plan change replaces the old subscription even if its own ending event never comes', () => {
    const attributes = map(
      stateOf(
        subscriptionEvent('SUBSCRIPTION_RENEWED', 'subs_monthly', 1, { plan: 'monthly' }),
        subscriptionEvent('SUBSCRIPTION_UPGRADED', 'subs_yearly', 10, {
          plan: 'yearly',
          from_purchasely_subscription_id: 'subs_monthly',
        }),
      ),
    );
    expect(attributes).toMatchObject({ active_subscriptions: 1, plan: 'yearly' });
  });

  it('the same events in any order give the same attributes', () => {
    const events = [
      subscriptionEvent('SUBSCRIPTION_STARTED', 'a', 0, { product: 'A', offer_type: 'FREE_TRIAL' }),
      subscriptionEvent('PROMOTIONAL_OFFER_STARTED', 'a', 1, {
        product: 'A',
        offer_type: 'PROMOTIONAL_OFFER',
        promotional_offer_id: 'winback_50',
      }),
      subscriptionEvent('SUBSCRIPTION_RENEWED', 'b', 2, { product: 'B', content_id: null }),
      subscriptionEvent('RENEWAL_DISABLED', 'a', 3, {
        product: 'A',
        subscription_status: 'AUTO_RENEWING_CANCELED',
        offer_type: null,
      }),
      subscriptionEvent('SUBSCRIPTION_TERMINATED', 'b', 4, {
        product: 'B',
        subscription_status: 'DEACTIVATED',
      }),
      subscriptionEvent('TRANSACTION_PROCESSED', 'a', 4, {
        product: 'A',
        subscription_status: null,
      }),
    ];
    const expected = map(stateOf(...events));
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length }), (order) => {
        expect(map(stateOf(...order))).toEqual(expected);
      }),
    );
  });

  describe('attributes whose meaning has ended are cleared (sent empty)', () => {
    const promo = { offer_type: 'PROMOTIONAL_OFFER', promotional_offer_id: 'winback_50' };

    it('promotional_offer_id is set while the promotional offer runs', () => {
      expect(
        map(stateOf(subscriptionEvent('PROMOTIONAL_OFFER_STARTED', 's', 0, promo))),
      ).toMatchObject({ promotional_offer_id: 'winback_50' });
    });

    it.each([
      ['its converted event', { event_name: 'PROMOTIONAL_OFFER_CONVERTED' }],
      ['its not-converted event', { event_name: 'PROMOTIONAL_OFFER_NOT_CONVERTED' }],
      ['another offer type', { event_name: 'SUBSCRIPTION_RENEWED', offer_type: 'NONE' }],
      [
        'the subscription ending',
        { event_name: 'SUBSCRIPTION_TERMINATED', subscription_status: 'DEACTIVATED' },
      ],
    ])('promotional_offer_id is cleared by %s', (_, overrides) => {
      const { event_name, ...rest } = overrides as { event_name: string };
      const state = stateOf(
        subscriptionEvent('PROMOTIONAL_OFFER_STARTED', 's', 0, promo),
        subscriptionEvent(event_name, 's', 1, { ...promo, ...rest }),
      );
      expect(map(state)).toMatchObject({ promotional_offer_id: '' });
    });

    it.each(['DEACTIVATED', 'REVOKED', 'ON_HOLD', 'PAUSED', 'UNPAID'])(
      'effective_next_renewal_at is cleared once the subscription is %s',
      (status) => {
        expect(
          map(stateOf(event('subscription-renewed.json', { subscription_status: status }))),
        ).toMatchObject({ effective_next_renewal_at: '', has_active_subscription: false });
      },
    );
  });

  it.each([
    ['AUTO_RENEWING', true],
    ['AUTO_RENEWING_CANCELED', true],
    ['IN_GRACE_PERIOD', true],
    ['UNPAID', false],
    ['DEACTIVATED', false],
    ['PAUSED', false],
    ['SOMETHING_NEW', false],
  ])('derives has_active_subscription from %s', (status, active) => {
    const attributes = map(stateOf(event('activate.json', { subscription_status: status })));
    expect(attributes.has_active_subscription).toBe(active);
  });

  it('keeps what an older event said that a newer one does not carry', () => {
    const attributes = map(
      stateOf(
        subscriptionEvent('SUBSCRIPTION_STARTED', 's', 0, { content_id: 'paywall-42' }),
        subscriptionEvent('SUBSCRIPTION_RENEWED', 's', 1, {
          content_id: null,
          store_country: undefined,
        }),
      ),
    );
    expect(attributes).toMatchObject({ content_id: 'paywall-42', store_country: 'FR' });
  });

  it('selects, renames and prefixes', () => {
    const toAttributes = createUserPropertyMapper({
      include: ['plan', 'has_active_subscription', 'effective_next_renewal_at'],
      rename: { plan: 'subscription_plan', effective_next_renewal_at: 'renews_at' },
      prefix: 'ply_',
    });
    expect(toAttributes(stateOf(event('subscription-renewed.json')))).toEqual({
      ply_subscription_plan: 'monthly',
      ply_has_active_subscription: true,
      ply_renews_at: 1702390991,
    });
  });

  it('sets nothing with an empty selection', () => {
    expect(createUserPropertyMapper({ include: [] })(stateOf(event('activate.json')))).toEqual({});
  });

  it.each([
    [{ include: ['plan', 'plan_periodicity'] }, 'userProperties.include[1]', /not a user property/],
    [{ rename: { planz: 'x' } }, 'userProperties.rename.planz', /not a user property/],
    [{ rename: { plan: 'email' } }, 'userProperties.rename.plan', /reserved/],
    [{ rename: { plan: 'cio_plan' } }, 'userProperties.rename.plan', /reserved/],
    [{ rename: { user_id: 'id' } }, 'userProperties.rename.user_id', /reserved/],
    [{ rename: { plan: 'store' } }, 'userProperties.rename.plan', /also the name of store/],
    [
      { rename: { plan: 'p'.repeat(148) }, prefix: 'ab_' },
      'userProperties.rename.plan',
      /151 bytes/,
    ],
    [{ rename: { plan: ' ' } }, 'userProperties.rename.plan', /empty/],
  ])('refuses %j at construction', (options, setting, message) => {
    const build = () => createUserPropertyMapper(options as never);
    expect(build).toThrow(PurchaselyBridgeConfigError);
    expect(build).toThrow(message);
    expect(() => build()).toThrow(expect.objectContaining({ setting }));
  });

  it('lists every property it can set', () => {
    expect(USER_PROPERTY_NAMES).toContain('has_active_subscription');
    expect(USER_PROPERTY_NAMES).toHaveLength(20);
  });
});

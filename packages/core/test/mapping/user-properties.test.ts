import { describe, expect, it } from 'vitest';
import {
  createUserPropertyMapper,
  PurchaselyBridgeConfigError,
  USER_PROPERTIES,
} from '../../src/index.js';
import { event } from './helpers.js';

describe('user properties', () => {
  it('maps a renewal to the documented CRM properties, dates in unix seconds', () => {
    expect(createUserPropertyMapper()(event('subscription-renewed.json'))).toEqual({
      user_id: 'toto',
      has_active_subscription: true,
      environment: 'SANDBOX',
      store: 'GOOGLE_PLAY_STORE',
      store_country: 'FR',
      store_product_id: 'com.purchasely.plus.monthly',
      product: 'PURCHASELY_PLUS',
      plan: 'monthly',
      subscription_status: 'AUTO_RENEWING',
      offer_type: 'NONE',
      is_family_shared: false,
      purchased_at: 1702390391,
      original_purchased_at: 1702388896,
      effective_next_renewal_at: 1702390991,
      promotional_offer_id: '',
      last_event: 'SUBSCRIPTION_RENEWED',
    });
  });

  describe('attributes whose meaning has ended are cleared (sent empty)', () => {
    const map = createUserPropertyMapper();
    const promo = { offer_type: 'PROMOTIONAL_OFFER', promotional_offer_id: 'winback_50' };

    it('promotional_offer_id is set while the promotional offer runs', () => {
      expect(
        map(
          event('subscription-renewed.json', { event_name: 'PROMOTIONAL_OFFER_STARTED', ...promo }),
        ),
      ).toMatchObject({ promotional_offer_id: 'winback_50' });
    });

    it.each([
      ['its converted event', { event_name: 'PROMOTIONAL_OFFER_CONVERTED', ...promo }],
      ['its not-converted event', { event_name: 'PROMOTIONAL_OFFER_NOT_CONVERTED', ...promo }],
      ['another offer type', { offer_type: 'NONE', promotional_offer_id: null }],
      ['the subscription ending', { ...promo, subscription_status: 'DEACTIVATED' }],
    ])('promotional_offer_id is cleared by %s', (_, overrides) => {
      expect(map(event('subscription-renewed.json', overrides))).toMatchObject({
        promotional_offer_id: '',
      });
    });

    it('promotional_offer_id is left alone when the event says nothing of offers', () => {
      expect(
        map(event('subscription-renewed.json', { offer_type: null, promotional_offer_id: null })),
      ).not.toHaveProperty('promotional_offer_id');
    });

    it.each(['DEACTIVATED', 'REVOKED', 'ON_HOLD', 'PAUSED', 'UNPAID'])(
      'effective_next_renewal_at is cleared once the subscription is %s',
      (status) => {
        expect(
          map(event('subscription-renewed.json', { subscription_status: status })),
        ).toMatchObject({ effective_next_renewal_at: '', has_active_subscription: false });
      },
    );

    it('effective_next_renewal_at is left alone on an event without a status or a date', () => {
      expect(
        map(
          event('transaction-processed.json', {
            subscription_status: null,
            effective_next_renewal_at_ms: null,
          }),
        ),
      ).not.toHaveProperty('effective_next_renewal_at');
    });
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
    const attributes = createUserPropertyMapper()(
      event('activate.json', { subscription_status: status }),
    );
    expect(attributes.has_active_subscription).toBe(active);
  });

  it('leaves out what the event does not carry, so nothing is erased', () => {
    const attributes = createUserPropertyMapper()(
      event('activate.json', { subscription_status: null, plan: null, store_country: undefined }),
    );
    expect(attributes).not.toHaveProperty('has_active_subscription');
    expect(attributes).not.toHaveProperty('plan');
    expect(attributes).not.toHaveProperty('store_country');
  });

  it('selects, renames and prefixes', () => {
    const toAttributes = createUserPropertyMapper({
      include: ['plan', 'has_active_subscription', 'effective_next_renewal_at'],
      rename: { plan: 'subscription_plan', effective_next_renewal_at: 'renews_at' },
      prefix: 'ply_',
    });
    expect(toAttributes(event('subscription-renewed.json'))).toEqual({
      ply_subscription_plan: 'monthly',
      ply_has_active_subscription: true,
      ply_renews_at: 1702390991,
    });
  });

  it('sets nothing with an empty selection', () => {
    expect(createUserPropertyMapper({ include: [] })(event('activate.json'))).toEqual({});
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
    expect(Object.keys(USER_PROPERTIES)).toContain('has_active_subscription');
    expect(Object.keys(USER_PROPERTIES)).toHaveLength(18);
  });
});

import { createCustomerIoEmulator } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import {
  createCustomerIoClient,
  createPurchaselyBridge,
  type PurchaselyBridgeConfig,
  PurchaselyBridgeConfigError,
} from '../../src/index.js';
import { API_KEY, SECRET, SITE_ID } from './helpers.js';

const customerio = {
  siteId: SITE_ID,
  apiKey: API_KEY,
  region: 'us' as const,
  rateLimit: false as const,
};
const valid: PurchaselyBridgeConfig = { webhookSecret: SECRET, customerio };

function configError(overrides: Record<string, unknown>): PurchaselyBridgeConfigError {
  try {
    createPurchaselyBridge({ ...valid, ...overrides } as PurchaselyBridgeConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(PurchaselyBridgeConfigError);
    return error as PurchaselyBridgeConfigError;
  }
  throw new Error('expected createPurchaselyBridge to throw');
}

describe('start-up validation', () => {
  it('accepts a minimal valid configuration, and a ready-made client', () => {
    expect(() => createPurchaselyBridge(valid)).not.toThrow();
    const emulator = createCustomerIoEmulator();
    const client = createCustomerIoClient({ ...customerio, fetch: emulator.fetch });
    expect(() => createPurchaselyBridge({ ...valid, customerio: client })).not.toThrow();
    expect(() => createPurchaselyBridge({ ...valid, webhookSecret: ['old', 'new'] })).not.toThrow();
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['an empty list', []],
    ['a list with an empty secret', ['ok', '']],
    ['not a string', 42],
  ])('webhookSecret %s → error on webhookSecret', (_, webhookSecret) => {
    const error = configError({ webhookSecret });
    expect(error.setting).toBe('webhookSecret');
    expect(error.name).toBe('PurchaselyBridgeConfigError');
  });

  it('an unknown event name in events', () => {
    const error = configError({ events: ['SUBSCRIPTION_RENEWED', 'SUBSCRIPTION_RENEWD'] });
    expect(error.setting).toBe('events[1]');
    expect(error.message).toMatch(/SUBSCRIPTION_RENEWD/);
  });

  it('events neither a list nor all', () => {
    expect(configError({ events: 'everything' }).setting).toBe('events');
  });

  it('an unknown event name in names', () => {
    const error = configError({ names: { TRIAL_STARTD: 'trial' } });
    expect(error.setting).toBe('names.TRIAL_STARTD');
  });

  it.each([
    ['over 100 bytes', 'x'.repeat(101)],
    ['over 100 bytes in UTF-8 (51 × é)', 'é'.repeat(51)],
    ['empty', ''],
    ['with a trailing space', 'renewed '],
  ])('a name override %s', (_, name) => {
    expect(configError({ names: { SUBSCRIPTION_RENEWED: name } }).setting).toBe(
      'names.SUBSCRIPTION_RENEWED',
    );
  });

  it('a 100-byte name override is accepted', () => {
    expect(() =>
      createPurchaselyBridge({ ...valid, names: { SUBSCRIPTION_RENEWED: 'x'.repeat(100) } }),
    ).not.toThrow();
  });

  it.each([
    ['to a reserved name (email)', { rename: { plan: 'email' } }, 'userProperties.rename.plan'],
    ['to a reserved name (id)', { rename: { store: 'id' } }, 'userProperties.rename.store'],
    ['to a cio_ name', { rename: { plan: 'cio_plan' } }, 'userProperties.rename.plan'],
    ['of an unknown property', { rename: { plan_name: 'x' } }, 'userProperties.rename.plan_name'],
    ['onto another property', { rename: { plan: 'store' } }, 'userProperties.rename.plan'],
    ['an unknown include', { include: ['plan', 'nope'] }, 'userProperties.include[1]'],
    ['a non-string prefix', { prefix: 3 }, 'userProperties.prefix'],
  ])('userProperties: rename %s', (_, userProperties, setting) => {
    expect(configError({ userProperties }).setting).toBe(setting);
  });

  it.each(['ignored', 'FORWARD', true, 1])('sandbox %j', (sandbox) => {
    expect(configError({ sandbox }).setting).toBe('sandbox');
  });

  it('sandbox {} without customerio', () => {
    expect(configError({ sandbox: {} }).setting).toBe('sandbox.customerio');
  });

  it('sandbox { customerio } with bad credentials', () => {
    expect(configError({ sandbox: { customerio: { ...customerio, siteId: '' } } }).setting).toBe(
      'sandbox.customerio',
    );
  });

  it.each([0, -1, Number.NaN, '1000'])('maxBodyBytes %j', (maxBodyBytes) => {
    expect(configError({ maxBodyBytes }).setting).toBe('maxBodyBytes');
  });

  it.each([0, -5])('deliveryBudgetMs %j', (deliveryBudgetMs) => {
    expect(configError({ deliveryBudgetMs }).setting).toBe('deliveryBudgetMs');
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['without siteId', { apiKey: API_KEY, region: 'us' }],
    ['without apiKey', { siteId: SITE_ID, region: 'us' }],
    ['with an empty apiKey', { siteId: SITE_ID, apiKey: '', region: 'us' }],
    ['with an unknown region', { siteId: SITE_ID, apiKey: API_KEY, region: 'mars' }],
  ])('customerio %s', (_, value) => {
    const error = configError({ customerio: value });
    expect(error.setting).toBe('customerio');
    expect(error.message).not.toContain(API_KEY);
  });
});

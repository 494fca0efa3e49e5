import { describe, expect, it } from 'vitest';
import { PURCHASELY_EVENT_NAMES, PurchaselyBridgeConfigError } from '../../src/index.js';
import { createEventNamer, DEFAULT_FORWARDED_EVENTS } from '../../src/mapping/event-names.js';

describe('event selection', () => {
  it('forwards every event but the entitlement pair by default', () => {
    const namer = createEventNamer();
    expect(DEFAULT_FORWARDED_EVENTS).toHaveLength(40);
    expect(namer.nameFor('SUBSCRIPTION_RENEWED')).toBe('SUBSCRIPTION_RENEWED');
    expect(namer.nameFor('TRANSACTION_PROCESSED')).toBe('TRANSACTION_PROCESSED');
    expect(namer.nameFor('ACTIVATE')).toBeUndefined();
    expect(namer.nameFor('DEACTIVATE')).toBeUndefined();
  });

  it("forwards all 42 with 'all'", () => {
    const namer = createEventNamer({ events: 'all' });
    for (const name of PURCHASELY_EVENT_NAMES) expect(namer.nameFor(name)).toBe(name);
  });

  it('forwards only a given list', () => {
    const namer = createEventNamer({ events: ['TRIAL_STARTED'] });
    expect(namer.nameFor('TRIAL_STARTED')).toBe('TRIAL_STARTED');
    expect(namer.nameFor('SUBSCRIPTION_RENEWED')).toBeUndefined();
    expect(namer.nameFor('SOMETHING_NEW')).toBeUndefined();
  });
});

describe('name overrides', () => {
  it('renames events as in Purchasely’s console', () => {
    const namer = createEventNamer({
      names: { SUBSCRIPTION_RENEWED: 'subscription_renewed', TRIAL_STARTED: 'Trial started 🎉' },
    });
    expect(namer.nameFor('SUBSCRIPTION_RENEWED')).toBe('subscription_renewed');
    expect(namer.nameFor('TRIAL_STARTED')).toBe('Trial started 🎉');
    expect(namer.nameFor('TRIAL_CONVERTED')).toBe('TRIAL_CONVERTED');
  });

  it('does not forward a renamed event that is not selected', () => {
    const namer = createEventNamer({ events: ['TRIAL_STARTED'], names: { ACTIVATE: 'activated' } });
    expect(namer.nameFor('ACTIVATE')).toBeUndefined();
  });

  it.each([
    [
      { names: { SUBSCRIPTION_RENEWD: 'x' } },
      'names.SUBSCRIPTION_RENEWD',
      /not a Purchasely server event/,
    ],
    [
      { events: ['TRIAL_STARTED', 'PURCHASE_VALIDATED'] },
      'events[1]',
      /not a Purchasely server event/,
    ],
    [{ names: { TRIAL_STARTED: '' } }, 'names.TRIAL_STARTED', /non-empty/],
    [{ names: { TRIAL_STARTED: ' trial' } }, 'names.TRIAL_STARTED', /trims/],
    [{ names: { TRIAL_STARTED: 'x'.repeat(101) } }, 'names.TRIAL_STARTED', /101 bytes.*100/],
    [{ names: { TRIAL_STARTED: 'é'.repeat(51) } }, 'names.TRIAL_STARTED', /102 bytes/],
    [{ events: 'ACTIVATE' }, 'events', /list/],
  ])('refuses %j at construction', (options, setting, message) => {
    const build = () => createEventNamer(options as never);
    expect(build).toThrow(PurchaselyBridgeConfigError);
    expect(build).toThrow(message);
    try {
      build();
    } catch (error) {
      expect((error as PurchaselyBridgeConfigError).setting).toBe(setting);
    }
  });

  it('accepts a name of exactly 100 bytes', () => {
    expect(
      createEventNamer({ names: { TRIAL_STARTED: 'x'.repeat(100) } }).nameFor('TRIAL_STARTED'),
    ).toHaveLength(100);
  });
});

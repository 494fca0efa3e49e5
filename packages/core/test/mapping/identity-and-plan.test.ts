import { describe, expect, it } from 'vitest';
import { isUlid } from '../../src/customerio/ulid.js';
import { eventIdFor } from '../../src/index.js';
import {
  planAnonymousMerge,
  planEvent,
  toBatchOperations,
} from '../../src/mapping/delivery-plan.js';
import { purchaselyEventKey } from '../../src/mapping/event-key.js';
import { defaultIdentify, toIdentity } from '../../src/mapping/identity.js';
import { event } from './helpers.js';

describe('identity', () => {
  it('uses user_id by default', async () => {
    const renewed = event('subscription-renewed.json');
    expect(toIdentity(await defaultIdentify(renewed), renewed)).toEqual({
      kind: 'person',
      identifier: { id: 'toto' },
      anonymousIds: [],
    });
  });

  it('goes anonymous with only anonymous_user_id', async () => {
    const started = event('subscription-started.json');
    expect(toIdentity(await defaultIdentify(started), started)).toEqual({
      kind: 'anonymous',
      anonymousId: '5ca811b6-46e9-4847-9381-3911bd5fcd7b',
    });
  });

  it('sends the anonymous id along once the person is known, so Customer.io merges', async () => {
    const both = event('subscription-started.json', { user_id: 'toto' });
    expect(toIdentity(await defaultIdentify(both), both)).toEqual({
      kind: 'person',
      identifier: { id: 'toto' },
      anonymousIds: ['5ca811b6-46e9-4847-9381-3911bd5fcd7b'],
    });
  });

  it('joins the anonymous giver of a *_RECEIVED transfer to the receiving person', async () => {
    const received = event('subscription-renewed.json', {
      event_name: 'SUBSCRIPTION_RECEIVED',
      user_id: 'jeff',
      transferred_from_anonymous_user_id: 'anon-giver',
    });
    expect(toIdentity(await defaultIdentify(received), received)).toEqual({
      kind: 'person',
      identifier: { id: 'jeff' },
      anonymousIds: ['anon-giver'],
    });
  });

  it('keeps a known giver of a *_RECEIVED transfer apart: another person', async () => {
    const received = event('subscription-renewed.json', {
      event_name: 'ONE_TIME_PURCHASE_RECEIVED',
      user_id: 'jeff',
      transferred_from_user_id: 'ada',
    });
    expect(toIdentity(await defaultIdentify(received), received)).toMatchObject({
      anonymousIds: [],
    });
  });

  it('ignores a transferred_from_anonymous_user_id on events other than *_RECEIVED', async () => {
    const renewed = event('subscription-renewed.json', {
      transferred_from_anonymous_user_id: 'anon-giver',
    });
    expect(toIdentity(await defaultIdentify(renewed), renewed)).toMatchObject({
      anonymousIds: [],
    });
  });

  it('skips an event without any id', async () => {
    const nobody = event('subscription-renewed.json', { user_id: null });
    expect(toIdentity(await defaultIdentify(nobody), nobody)).toEqual({ kind: 'none' });
  });

  it.each([
    ['a string id', 'u-1', { kind: 'person', identifier: { id: 'u-1' }, anonymousIds: [] }],
    [
      'an id object',
      { id: 'u-1' },
      { kind: 'person', identifier: { id: 'u-1' }, anonymousIds: [] },
    ],
    [
      'an email',
      { email: 'a@b.co' },
      { kind: 'person', identifier: { email: 'a@b.co' }, anonymousIds: [] },
    ],
    ['an anonymous id', { anonymousId: 'anon' }, { kind: 'anonymous', anonymousId: 'anon' }],
    ['nothing', undefined, { kind: 'none' }],
    ['null', null, { kind: 'none' }],
    ['a blank string', '  ', { kind: 'none' }],
    ['a blank email', { email: '' }, { kind: 'none' }],
  ])('takes a custom answer: %s', (_label, answer, identity) => {
    expect(toIdentity(answer as never, event('subscription-renewed.json'))).toEqual(identity);
  });
});

describe('delivery plan', () => {
  it('plans the person update (stamped with the state’s newest event) first, then each event at its own time', () => {
    const renewed = event('subscription-renewed.json');
    const [identify, track, ...rest] = toBatchOperations({
      kind: 'person',
      identifier: { id: 'toto' },
      attributes: { plan: 'monthly' },
      timestamp: 1702399999,
      events: [planEvent(renewed, 'subscription_renewed', purchaselyEventKey(renewed))],
    });
    expect(rest).toEqual([]);
    expect(identify).toEqual({
      type: 'person',
      action: 'identify',
      identifiers: { id: 'toto' },
      attributes: { plan: 'monthly' },
      timestamp: 1702399999,
    });
    expect(track).toEqual({
      type: 'person',
      action: 'event',
      identifiers: { id: 'toto' },
      name: 'subscription_renewed',
      id: eventIdFor('112d1a2d-b847-43a7-b6a1-c4a6819b7e54', 1702390766120),
      timestamp: 1702390766,
      attributes: renewed,
    });
    expect(isUlid(track?.id ?? '')).toBe(true);
  });

  it('gives a re-delivered event the same id, and another event another id', () => {
    const id = (file: string) => {
      const parsed = event(file);
      return planEvent(parsed, 'x', purchaselyEventKey(parsed)).id;
    };
    expect(id('subscription-renewed.json')).toBe(id('subscription-renewed.json'));
    expect(id('subscription-renewed.json')).not.toBe(id('transaction-processed.json'));
  });

  it.each([
    ['a plain id', { id: 'u-1' }, true],
    ['an email identifier', { email: 'ada@example.com' }, true],
    ['an id with an @ (v1 would read an email)', { id: 'ada@example.com' }, false],
    ['an id starting with cio_ (v1 would read a cio_id)', { id: 'cio_42' }, false],
  ])('plans the anonymous merge for %s: supported %s', (_label, identifier, supported) => {
    expect(planAnonymousMerge(identifier, ['anon-1'])).toEqual({
      anonymousIds: ['anon-1'],
      supported,
    });
  });

  it('plans no merge without anonymous history', () => {
    expect(planAnonymousMerge({ id: 'cio_42' }, [])).toBeUndefined();
  });

  it('plans an anonymous user’s event with its id, time and whole payload', () => {
    const started = event('subscription-started.json');
    expect(planEvent(started, 'SUBSCRIPTION_STARTED', purchaselyEventKey(started))).toEqual({
      name: 'SUBSCRIPTION_STARTED',
      id: eventIdFor('1a03612c-4960-40be-bc69-eeab14f9c6e9', 1702389064953),
      timestamp: 1702389064,
      data: started,
    });
  });

  it('falls back to a stable key for payloads without event_id', () => {
    const old = event('subscription-renewed.json', { event_id: undefined });
    expect(purchaselyEventKey(old)).toBe(
      'fallback:SUBSCRIPTION_RENEWED:GPA.3355-5688-7970-28037:GPA.3355-5688-7970-28037..5:1702390766120:toto',
    );
    expect(purchaselyEventKey(event('subscription-renewed.json'))).toBe(
      '112d1a2d-b847-43a7-b6a1-c4a6819b7e54',
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  isPurchaselyEventName,
  PURCHASELY_EVENT_NAMES,
  PURCHASELY_EVENTS,
  purchaselyEventsInGroup,
} from '../../src/index.js';

describe('the event catalog', () => {
  it('lists the 42 current server events', () => {
    expect(PURCHASELY_EVENT_NAMES).toHaveLength(42);
    expect(new Set(PURCHASELY_EVENT_NAMES).size).toBe(42);
  });

  it.each([
    ['entitlement', 2],
    ['lifecycle', 27],
    ['offer', 12],
    ['transactional', 1],
  ] as const)('has %s events: %i', (group, count) => {
    expect(purchaselyEventsInGroup(group)).toHaveLength(count);
  });

  it('describes every event in one line', () => {
    for (const name of PURCHASELY_EVENT_NAMES) {
      const { description } = PURCHASELY_EVENTS[name];
      expect(description.length).toBeGreaterThan(10);
      expect(description).not.toContain('\n');
    }
  });

  it('recognises current names and refuses legacy and SDK-only ones', () => {
    expect(isPurchaselyEventName('SUBSCRIPTION_RENEWED')).toBe(true);
    expect(isPurchaselyEventName('TRANSACTION_PROCESSED')).toBe(true);
    for (const name of [
      'PURCHASE_VALIDATED',
      'SUBSCRIPTION_EXPIRED',
      'PRESENTATION_VIEWED',
      'toString',
    ]) {
      expect(isPurchaselyEventName(name)).toBe(false);
    }
    expect(isPurchaselyEventName(42)).toBe(false);
  });

  it('keeps the entitlement events apart', () => {
    expect(purchaselyEventsInGroup('entitlement')).toEqual(['ACTIVATE', 'DEACTIVATE']);
    expect(purchaselyEventsInGroup('transactional')).toEqual(['TRANSACTION_PROCESSED']);
  });
});

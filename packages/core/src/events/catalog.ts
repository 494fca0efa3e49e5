/** The four families Purchasely groups its server events into. */
export type PurchaselyEventGroup = 'entitlement' | 'lifecycle' | 'offer' | 'transactional';

/** One catalog entry: the family an event belongs to and what it means. */
export interface PurchaselyEventInfo {
  readonly group: PurchaselyEventGroup;
  readonly description: string;
}

/**
 * Every current Purchasely server event (api_version 3), 42 in all: the single source every name, type and
 * default in this SDK derives from. Descriptions paraphrase Purchasely's docs (Server Events pages).
 *
 * @example
 * ```ts
 * import { PURCHASELY_EVENTS } from '@purchasely-customerio/core';
 *
 * PURCHASELY_EVENTS.SUBSCRIPTION_RENEWED.group; // 'lifecycle'
 * ```
 */
export const PURCHASELY_EVENTS = {
  // Entitlement (2)
  ACTIVATE: {
    group: 'entitlement',
    description:
      'Grant the entitlement: new subscription, renewal, restore, plan change, grace period or resume.',
  },
  DEACTIVATE: {
    group: 'entitlement',
    description:
      'Revoke the entitlement: termination, billing retry, refund, transfer, old plan ended or pause.',
  },

  // Lifecycle (27)
  SUBSCRIPTION_STARTED: {
    group: 'lifecycle',
    description: 'A subscription was bought and the user is now a subscriber.',
  },
  RENEWAL_DISABLED: {
    group: 'lifecycle',
    description: 'The user turned off auto-renewal in the store settings.',
  },
  RENEWAL_ENABLED: { group: 'lifecycle', description: 'The user turned auto-renewal back on.' },
  SUBSCRIPTION_TERMINATED: {
    group: 'lifecycle',
    description: 'The subscription ended; the user has no active subscription.',
  },
  FAMILY_SHARED_REVOKED: {
    group: 'lifecycle',
    description: "The family-sharing owner removed this user's access.",
  },
  GRACE_PERIOD_STARTED: {
    group: 'lifecycle',
    description: 'Billing failed at renewal and the grace period began; the user keeps access.',
  },
  GRACE_PERIOD_TERMINATED: {
    group: 'lifecycle',
    description: 'The grace period ended unresolved and access is lost; billing retry follows.',
  },
  SUBSCRIPTION_CANCELLED_DURING_GRACE_PERIOD: {
    group: 'lifecycle',
    description:
      'The user cancelled auto-renewal during the grace period; the subscription is terminated.',
  },
  SUBSCRIPTION_RECOVERED_FROM_GRACE_PERIOD: {
    group: 'lifecycle',
    description:
      'The billing issue was fixed during the grace period and the subscription renewed.',
  },
  ENTERED_BILLING_RETRY: {
    group: 'lifecycle',
    description: 'Billing failed and the subscription is in billing retry; no access.',
  },
  SUBSCRIPTION_RECOVERED_FROM_BILLING_RETRY: {
    group: 'lifecycle',
    description:
      'Payment succeeded during billing retry; access restored and a new billing cycle starts.',
  },
  SUBSCRIPTION_RENEWED: { group: 'lifecycle', description: 'The subscription renewed.' },
  SUBSCRIPTION_DEFERRED: {
    group: 'lifecycle',
    description: 'Google Play only: the publisher extended the period for free (see defer_end_at).',
  },
  SUBSCRIPTION_REACTIVATED: {
    group: 'lifecycle',
    description: 'An expired subscription was reactivated (win-back).',
  },
  SUBSCRIPTION_CROSSGRADED: {
    group: 'lifecycle',
    description: 'Switched to a plan of the same grade.',
  },
  SUBSCRIPTION_DOWNGRADED: {
    group: 'lifecycle',
    description: 'Switched to a lower grade, effective at the next billing cycle.',
  },
  SUBSCRIPTION_UPGRADED: {
    group: 'lifecycle',
    description: 'Switched to a higher grade, effective immediately.',
  },
  SUBSCRIPTION_REFUNDED_REVOKED: {
    group: 'lifecycle',
    description: 'The subscription was refunded and access removed.',
  },
  SUBSCRIPTION_TRANSFERRED: {
    group: 'lifecycle',
    description: 'Sent for the original owner: the subscription moved to another account.',
  },
  SUBSCRIPTION_RECEIVED: {
    group: 'lifecycle',
    description: 'Sent for the new owner of a transferred subscription.',
  },
  ONE_TIME_PURCHASE_TRANSFERRED: {
    group: 'lifecycle',
    description: 'Sent for the original owner: a non-consumable moved to another account.',
  },
  ONE_TIME_PURCHASE_RECEIVED: {
    group: 'lifecycle',
    description: 'Sent for the new owner of a transferred non-consumable.',
  },
  SUBSCRIPTION_WILL_PAUSE: {
    group: 'lifecycle',
    description: 'Google Play only: the user scheduled a pause starting at the next renewal.',
  },
  SUBSCRIPTION_PAUSED: {
    group: 'lifecycle',
    description: 'Google Play only: the pause began; no access.',
  },
  SUBSCRIPTION_UNPAUSED: {
    group: 'lifecycle',
    description: 'Google Play only: the subscription resumed after a pause.',
  },
  SUBSCRIPTION_CANCELLED_DURING_PAUSE: {
    group: 'lifecycle',
    description: 'Google Play only: the user cancelled while paused.',
  },
  SUBSCRIPTION_WILL_NOT_PAUSE: {
    group: 'lifecycle',
    description: 'Google Play only: the user cancelled the scheduled pause before it started.',
  },

  // Offer (12)
  TRIAL_STARTED: { group: 'offer', description: 'A free trial started.' },
  TRIAL_CONVERTED: {
    group: 'offer',
    description: 'The free trial became a regular-price subscription.',
  },
  TRIAL_NOT_CONVERTED: { group: 'offer', description: 'The free trial ended without converting.' },
  INTRO_OFFER_STARTED: { group: 'offer', description: 'An introductory offer started.' },
  INTRO_OFFER_CONVERTED: {
    group: 'offer',
    description: 'The introductory offer became a regular-price subscription.',
  },
  INTRO_OFFER_NOT_CONVERTED: {
    group: 'offer',
    description: 'The introductory offer ended without converting.',
  },
  PROMO_CODE_STARTED: { group: 'offer', description: 'A promo code offer started.' },
  PROMO_CODE_CONVERTED: {
    group: 'offer',
    description: 'The promo code offer became a regular-price subscription.',
  },
  PROMO_CODE_NOT_CONVERTED: {
    group: 'offer',
    description: 'The promo code offer ended without converting.',
  },
  PROMOTIONAL_OFFER_STARTED: {
    group: 'offer',
    description: 'Renewed or reactivated with a promotional offer, which is now active.',
  },
  PROMOTIONAL_OFFER_CONVERTED: {
    group: 'offer',
    description: 'The promotional offer became a regular-price subscription.',
  },
  PROMOTIONAL_OFFER_NOT_CONVERTED: {
    group: 'offer',
    description: 'The promotional offer did not convert and the subscription was terminated.',
  },

  // Transactional (1)
  TRANSACTION_PROCESSED: {
    group: 'transactional',
    description:
      'A store processed a paid subscription transaction; the one event to count revenue with (amount can be negative).',
  },
} as const satisfies Record<string, PurchaselyEventInfo>;

/** The name of a current Purchasely server event, e.g. `'SUBSCRIPTION_RENEWED'`. */
export type PurchaselyEventName = keyof typeof PURCHASELY_EVENTS;

/** The names of the events in one group, e.g. `PurchaselyEventNameIn<'entitlement'>` is `'ACTIVATE' | 'DEACTIVATE'`. */
export type PurchaselyEventNameIn<G extends PurchaselyEventGroup> = {
  [N in PurchaselyEventName]: (typeof PURCHASELY_EVENTS)[N]['group'] extends G ? N : never;
}[PurchaselyEventName];

/** Every current event name, in catalog order. */
export const PURCHASELY_EVENT_NAMES = Object.keys(
  PURCHASELY_EVENTS,
) as readonly PurchaselyEventName[];

/**
 * Whether `name` is one of the 42 current Purchasely server events.
 *
 * @example
 * ```ts
 * isPurchaselyEventName('TRIAL_STARTED'); // true
 * isPurchaselyEventName('PURCHASE_VALIDATED'); // false: a legacy v2 name
 * ```
 */
export function isPurchaselyEventName(name: unknown): name is PurchaselyEventName {
  return typeof name === 'string' && Object.hasOwn(PURCHASELY_EVENTS, name);
}

/**
 * The event names of one group, in catalog order.
 *
 * @example
 * ```ts
 * purchaselyEventsInGroup('entitlement'); // ['ACTIVATE', 'DEACTIVATE']
 * ```
 */
export function purchaselyEventsInGroup<G extends PurchaselyEventGroup>(
  group: G,
): PurchaselyEventNameIn<G>[] {
  return PURCHASELY_EVENT_NAMES.filter(
    (name): name is PurchaselyEventNameIn<G> => PURCHASELY_EVENTS[name].group === group,
  );
}

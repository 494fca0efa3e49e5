import { TRACK_LIMITS, utf8ByteLength } from '../customerio/limits.js';
import {
  ACTIVE_SUBSCRIPTION_STATUSES,
  type PurchaselyEvent,
  type UnknownPurchaselyEvent,
} from '../events/index.js';
import { PurchaselyBridgeConfigError } from './errors.js';

/** A person attribute value Customer.io's Track API accepts. */
export type AttributeValue = string | number | boolean;

type AnyEvent = PurchaselyEvent | UnknownPurchaselyEvent;
type Reader = (event: AnyEvent) => AttributeValue | null | undefined;

/** Dates reach Customer.io as unix seconds: segments compare them as timestamps only in that form. */
const seconds =
  (field: 'purchased_at_ms' | 'original_purchased_at_ms' | 'effective_next_renewal_at_ms') =>
  (event: AnyEvent) => {
    const ms = event[field];
    return typeof ms === 'number' ? Math.floor(ms / 1000) : undefined;
  };

const ACTIVE = new Set<string>(ACTIVE_SUBSCRIPTION_STATUSES);

/**
 * The value that removes an attribute from a Customer.io person: an empty string (the Track spec documents
 * "null or an empty string" for object and relationship attributes; the attribute types it accepts for
 * people are string, number and boolean, so the empty string is the one both share).
 */
export const CLEARED = '';

/** Whether the event says its subscription has ended (a known status that is not an active one). */
const hasEnded = (event: AnyEvent) =>
  typeof event.subscription_status === 'string' && !ACTIVE.has(event.subscription_status);

/** The promotional offer's own events that say it is over. */
const PROMOTIONAL_OFFER_ENDED = new Set([
  'PROMOTIONAL_OFFER_CONVERTED',
  'PROMOTIONAL_OFFER_NOT_CONVERTED',
]);

/**
 * `promotional_offer_id` describes a running offer: set while the event's offer is a promotional offer, and
 * cleared once the offer is over (its converted / not-converted event, another offer type, or the
 * subscription ended), so the person leaves segments built on it.
 */
const promotionalOfferId: Reader = (event) => {
  const ended =
    PROMOTIONAL_OFFER_ENDED.has(event.event_name) ||
    hasEnded(event) ||
    (typeof event.offer_type === 'string' && event.offer_type !== 'PROMOTIONAL_OFFER');
  if (ended) return CLEARED;
  return event.promotional_offer_id;
};

/** A renewal date is only true of a subscription that still renews: cleared once it has ended. */
const effectiveNextRenewalAt: Reader = (event) =>
  hasEnded(event) ? CLEARED : seconds('effective_next_renewal_at_ms')(event);

/**
 * The person attributes the bridge can set, after the list Purchasely documents for CRM tools, plus
 * `has_active_subscription` (derived from `subscription_status`, as Purchasely's sample backend does) and
 * `last_event` (the latest Purchasely event name, as Purchasely's older integrations sent it).
 *
 * Left out: `plan_periodicity` and `subscription_started_at`, which Purchasely's CRM list names but no
 * webhook field carries.
 *
 * A value absent or null on an event leaves the attribute as it is; `promotional_offer_id` and
 * `effective_next_renewal_at` are cleared (sent as an empty string) once their meaning has ended. The README's
 * attribute table lists, for each, its source, type, and when it is set and cleared.
 */
export const USER_PROPERTIES = {
  user_id: (event) => event.user_id,
  anonymous_user_id: (event) => event.anonymous_user_id,
  has_active_subscription: (event) =>
    typeof event.subscription_status === 'string'
      ? ACTIVE.has(event.subscription_status)
      : undefined,
  environment: (event) => event.environment,
  store: (event) => event.store,
  store_country: (event) => event.store_country,
  store_product_id: (event) => event.store_product_id,
  product: (event) => event.product,
  plan: (event) => event.plan,
  subscription_status: (event) => event.subscription_status,
  offer_type: (event) => event.offer_type,
  promotional_offer_id: promotionalOfferId,
  is_family_shared: (event) => event.is_family_shared,
  content_id: (event) => event.content_id,
  purchased_at: seconds('purchased_at_ms'),
  original_purchased_at: seconds('original_purchased_at_ms'),
  effective_next_renewal_at: effectiveNextRenewalAt,
  last_event: (event) => event.event_name,
} as const satisfies Record<string, Reader>;

/** The name of a person attribute the bridge can set. */
export type UserPropertyName = keyof typeof USER_PROPERTIES;

const USER_PROPERTY_NAMES = Object.keys(USER_PROPERTIES) as UserPropertyName[];

/** Which person attributes are set from each event, and under which names. */
export interface UserPropertyOptions {
  /** The properties to set; defaults to all of {@link USER_PROPERTIES}. An empty list sets none. */
  include?: readonly UserPropertyName[];
  /** Per-property attribute names, as in Purchasely's console, e.g. `{ plan: 'subscription_plan' }`. */
  rename?: Partial<Record<UserPropertyName, string>>;
  /** Put before every attribute name (after renaming), e.g. `'purchasely_'`. */
  prefix?: string;
}

/** Turns an event into the person attributes to set. Built once from validated options. */
export type UserPropertyMapper = (event: AnyEvent) => Record<string, AttributeValue>;

/*
 * Identify keys Customer.io reserves: an attribute named like one would change the person's identity,
 * subscription or update semantics instead of storing a value.
 */
const RESERVED_ATTRIBUTES = new Set([
  'id',
  'email',
  'anonymous_id',
  'created_at',
  'unsubscribed',
  '_timestamp',
  '_update',
]);

/**
 * Validates the user-property options once and returns the mapper used on every webhook. Values that are
 * absent or null on an event are left out, so they never erase what Customer.io already holds; an attribute
 * whose meaning has ended is sent empty, which removes it (see {@link USER_PROPERTIES}).
 *
 * @example
 * ```ts
 * const toAttributes = createUserPropertyMapper({ rename: { plan: 'subscription_plan' }, prefix: 'ply_' });
 * toAttributes(event); // { ply_subscription_plan: 'monthly', ply_has_active_subscription: true, … }
 * ```
 */
export function createUserPropertyMapper(options: UserPropertyOptions = {}): UserPropertyMapper {
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') {
    throw new PurchaselyBridgeConfigError('userProperties.prefix', 'expected a string.');
  }
  for (const name of Object.keys(options.rename ?? {})) {
    if (!Object.hasOwn(USER_PROPERTIES, name)) {
      throw new PurchaselyBridgeConfigError(
        `userProperties.rename.${name}`,
        unknownPropertyMessage(name),
      );
    }
  }
  const included = (options.include ?? USER_PROPERTY_NAMES).map((name, index) => {
    if (!Object.hasOwn(USER_PROPERTIES, name)) {
      throw new PurchaselyBridgeConfigError(
        `userProperties.include[${index}]`,
        unknownPropertyMessage(name),
      );
    }
    return name;
  });

  const seen = new Map<string, UserPropertyName>();
  const columns = included.map((property) => {
    const attribute = `${prefix}${options.rename?.[property] ?? property}`;
    checkAttributeName(property, attribute, seen);
    return [attribute, USER_PROPERTIES[property] as Reader] as const;
  });

  return (event) => {
    const attributes: Record<string, AttributeValue> = {};
    for (const [attribute, read] of columns) {
      const value = read(event);
      if (value !== undefined && value !== null) attributes[attribute] = value;
    }
    return attributes;
  };
}

function checkAttributeName(
  property: UserPropertyName,
  attribute: string,
  seen: Map<string, UserPropertyName>,
): void {
  const setting = `userProperties.rename.${property}`;
  if (attribute.trim() === '') {
    throw new PurchaselyBridgeConfigError(setting, 'an attribute name must not be empty.');
  }
  if (RESERVED_ATTRIBUTES.has(attribute) || attribute.startsWith('cio_')) {
    throw new PurchaselyBridgeConfigError(
      setting,
      `"${attribute}" is reserved by Customer.io; choose another name or a prefix.`,
    );
  }
  const bytes = utf8ByteLength(attribute);
  if (bytes > TRACK_LIMITS.attributeNameBytes) {
    throw new PurchaselyBridgeConfigError(
      setting,
      `"${attribute}" is ${bytes} bytes; Customer.io accepts attribute names of at most ${TRACK_LIMITS.attributeNameBytes}.`,
    );
  }
  const clash = seen.get(attribute);
  if (clash) {
    throw new PurchaselyBridgeConfigError(
      setting,
      `"${attribute}" is also the name of ${clash}; two properties would overwrite each other.`,
    );
  }
  seen.set(attribute, property);
}

function unknownPropertyMessage(name: unknown): string {
  return `${JSON.stringify(name)} is not a user property (see USER_PROPERTIES).`;
}

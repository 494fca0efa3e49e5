import { TRACK_LIMITS, utf8ByteLength } from '../customerio/limits.js';
import { PurchaselyBridgeConfigError } from './errors.js';
import type { PersonView } from './person-view.js';

/** A person attribute value Customer.io's Track API accepts. */
export type AttributeValue = string | number | boolean;

type Reader = (view: PersonView) => AttributeValue | undefined;

/**
 * The value that removes an attribute from a Customer.io person: an empty string (the Track spec documents
 * "null or an empty string" for object and relationship attributes; the attribute types it accepts for
 * people are string, number and boolean, so the empty string is the one both share).
 */
export const CLEARED = '';

/** A field of the current subscription. */
const current =
  (field: string): Reader =>
  (view) =>
    scalar(view.current?.[field]);

/** A field of the person. */
const person =
  (field: string): Reader =>
  (view) =>
    scalar(view.person[field]);

/** Dates reach Customer.io as unix seconds: segments compare them as timestamps only in that form. */
const seconds =
  (read: Reader): Reader =>
  (view) => {
    const ms = read(view);
    return typeof ms === 'number' ? Math.floor(ms / 1000) : undefined;
  };

/** The promotional offer's own events that say it is over. */
const PROMOTIONAL_OFFER_ENDED = new Set([
  'PROMOTIONAL_OFFER_CONVERTED',
  'PROMOTIONAL_OFFER_NOT_CONVERTED',
]);

/**
 * Longest value Customer.io takes (1000 bytes): `active_products` lists product ids, a few dozen bytes each;
 * past the limit the list is cut at a whole product rather than the whole update refused.
 */
const MAX_LIST_BYTES = TRACK_LIMITS.attributeValueBytes;

/**
 * The person attributes the bridge can set, computed from the person's whole subscription state (see
 * `viewPerson`): the list Purchasely documents for CRM tools, `has_active_subscription` (true while any
 * subscription is active), `active_subscriptions` and `active_products` (to segment on several
 * subscriptions), and `last_event` (the newest Purchasely event name). The per-subscription attributes
 * describe the current subscription: the active one that renews last, else the one that ended last.
 *
 * Every attribute is sent on every update: a value the state does not have is sent empty, which removes it,
 * so nothing describes a subscription that is no longer the current one. `promotional_offer_id` and
 * `effective_next_renewal_at` are also cleared once their meaning has ended. The README's attribute table
 * lists, for each, its source, type, and when it is set and cleared.
 *
 * Left out: `plan_periodicity` and `subscription_started_at`, which Purchasely's CRM list names but no
 * webhook field carries.
 */
export const USER_PROPERTIES = {
  user_id: person('user_id'),
  anonymous_user_id: person('anonymous_user_id'),
  has_active_subscription: (view) => view.active.length > 0,
  active_subscriptions: (view) => view.active.length,
  active_products: (view) => activeProducts(view),
  environment: person('environment'),
  store: current('store'),
  store_country: current('store_country'),
  store_product_id: current('store_product_id'),
  product: current('product'),
  plan: current('plan'),
  subscription_status: current('subscription_status'),
  offer_type: current('offer_type'),
  promotional_offer_id: (view) => {
    const offerRuns =
      view.currentIsActive &&
      view.current?.offer_type === 'PROMOTIONAL_OFFER' &&
      !PROMOTIONAL_OFFER_ENDED.has(String(view.current?.event_name));
    return offerRuns ? current('promotional_offer_id')(view) : undefined;
  },
  is_family_shared: current('is_family_shared'),
  content_id: current('content_id'),
  purchased_at: seconds(current('purchased_at_ms')),
  original_purchased_at: seconds(current('original_purchased_at_ms')),
  effective_next_renewal_at: (view) =>
    view.currentIsActive ? seconds(current('effective_next_renewal_at_ms'))(view) : undefined,
  last_event: person('last_event'),
} as const satisfies Record<string, Reader>;

function activeProducts(view: PersonView): string {
  const products = [...new Set(view.active.map((subscription) => subscription.product))].filter(
    (product): product is string => typeof product === 'string' && product !== '',
  );
  products.sort();
  let list = '';
  for (const product of products) {
    const next = list === '' ? product : `${list},${product}`;
    if (utf8ByteLength(next) > MAX_LIST_BYTES) break;
    list = next;
  }
  return list;
}

function scalar(value: unknown): AttributeValue | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? value
    : undefined;
}

/** The name of a person attribute the bridge can set. */
export type UserPropertyName = keyof typeof USER_PROPERTIES;

/**
 * The name of every person attribute the bridge can set, in the order of the README's attribute table.
 *
 * @example
 * ```ts
 * createPurchaselyBridge({ ...config, userProperties: { include: USER_PROPERTY_NAMES.filter((n) => n !== 'content_id') } });
 * ```
 */
export const USER_PROPERTY_NAMES = Object.keys(USER_PROPERTIES) as readonly UserPropertyName[];

/** Which person attributes are set from each event, and under which names. */
export interface UserPropertyOptions {
  /** The properties to set; defaults to all of {@link USER_PROPERTY_NAMES}. An empty list sets none. */
  include?: readonly UserPropertyName[];
  /** Per-property attribute names, as in Purchasely's console, e.g. `{ plan: 'subscription_plan' }`. */
  rename?: Partial<Record<UserPropertyName, string>>;
  /** Put before every attribute name (after renaming), e.g. `'purchasely_'`. */
  prefix?: string;
}

/** Turns a person's state, as `viewPerson` reads it, into the attributes to set. Built once from validated options. */
export type UserPropertyMapper = (view: PersonView) => Record<string, AttributeValue>;

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
 * Validates the user-property options once and returns the mapper used on every delivery: from a person's
 * whole state to every included attribute, each with its value or empty (removed; see
 * {@link USER_PROPERTIES}).
 *
 * @example
 * ```ts
 * const toAttributes = createUserPropertyMapper({ rename: { plan: 'subscription_plan' }, prefix: 'ply_' });
 * toAttributes(viewPerson(state)); // { ply_subscription_plan: 'monthly', ply_has_active_subscription: true, … }
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

  return (view) => {
    const attributes: Record<string, AttributeValue> = {};
    for (const [attribute, read] of columns) attributes[attribute] = read(view) ?? CLEARED;
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

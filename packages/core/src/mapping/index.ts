export {
  type AnonymousMerge,
  type DeliveryPlan,
  type PlannedEvent,
  planAnonymousMerge,
  planEvent,
  toBatchOperations,
} from './delivery-plan.js';
export { PurchaselyBridgeConfigError } from './errors.js';
export { purchaselyEventKey } from './event-key.js';
export {
  createEventNamer,
  DEFAULT_FORWARDED_EVENTS,
  type EventNamer,
  type EventNamingOptions,
} from './event-names.js';
export {
  defaultIdentify,
  type IdentifyAnswer,
  type IdentifyResolver,
  type ResolvedIdentity,
  toIdentity,
} from './identity.js';
export { type PersonView, viewPerson } from './person-view.js';
export { PERSON_ENTRY, subscriptionKeyOf, toStateUpdates } from './state-updates.js';
export {
  type AttributeValue,
  CLEARED,
  createUserPropertyMapper,
  USER_PROPERTIES,
  USER_PROPERTY_NAMES,
  type UserPropertyMapper,
  type UserPropertyName,
  type UserPropertyOptions,
} from './user-properties.js';

export {
  type AnonymousMerge,
  type DeliveryPlan,
  type DeliveryPlanInput,
  type PlannedEvent,
  planDelivery,
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
export {
  type AttributeValue,
  createUserPropertyMapper,
  USER_PROPERTIES,
  type UserPropertyMapper,
  type UserPropertyName,
  type UserPropertyOptions,
} from './user-properties.js';

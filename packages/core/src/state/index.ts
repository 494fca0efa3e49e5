export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { BridgeStore, ClaimResult } from './store.js';
export {
  DEFAULT_MAX_SUBSCRIPTIONS,
  type FieldValue,
  type MergeSubscriptionOptions,
  mergeSubscriptionUpdates,
  type PersonState,
  type SubscriptionState,
  type SubscriptionUpdate,
} from './subscriptions.js';
export { compareVersions, type EventVersion } from './versions.js';

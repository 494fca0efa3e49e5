export {
  type BridgeOutcome,
  type BridgeResponse,
  type SkipReason,
  STATUS_BY_OUTCOME,
} from './answers.js';
export type {
  BridgeHooks,
  CustomerIoSetting,
  HandlerFailurePolicy,
  PurchaselyBridgeConfig,
  SandboxPolicy,
} from './config.js';
export {
  type BridgeRequest,
  createPurchaselyBridge,
  type PurchaselyBridge,
} from './create-bridge.js';
export type { PurchaselyEventHandler } from './handlers.js';
export {
  createMemoryIdempotencyStore,
  type IdempotencyStore,
  type MemoryIdempotencyStoreOptions,
} from './idempotency.js';
export {
  type BridgeLogger,
  type ConsoleLike,
  createConsoleLogger,
  silentLogger,
} from './logger.js';
export type { BodyProblem } from './read-body.js';

export type { AcceptResult } from './accept.js';
export {
  type BridgeOutcome,
  type BridgeResponse,
  type SkipReason,
  STATUS_BY_OUTCOME,
} from './answers.js';
export type { ArchiveRecord, WebhookArchive } from './archive.js';
export type { TransientFailureReason } from './classify-failure.js';
export type {
  BridgeHooks,
  CustomerIoSetting,
  HandlerFailurePolicy,
  PurchaselyBridgeConfig,
  SandboxPolicy,
} from './config.js';
export { createPurchaselyBridge } from './create-bridge.js';
export type { DeliverOptions } from './deliver.js';
export type { PurchaselyEventHandler } from './handlers.js';
export {
  type BridgeLogger,
  type ConsoleLike,
  createConsoleLogger,
  silentLogger,
} from './logger.js';
export type { AcceptedEvent, DeliveryOutcome, DeliveryQueue } from './queue.js';
export type { BodyProblem } from './read-body.js';
export type { BridgeRequest, PurchaselyBridge } from './types.js';

/**
 * `@purchasely-customerio/testing`: test kit for purchasely-customerio.
 *
 * - {@link createCustomerIoEmulator}: an in-memory Customer.io Track API (v1 and v2) with the real
 *   API's auth, regions, limits and error bodies, reachable as a `fetch` function, as msw handlers
 *   and as a loopback HTTP server, plus scripted and random faults.
 *
 * - {@link purchaselyEvent}, {@link signedPurchaselyWebhook}, {@link signedPurchaselyRequest}: realistic
 *   Purchasely payloads, signed as Purchasely signs them.
 *
 * The entry runs on Web APIs only; `listen()` loads `node:http` when called.
 *
 * @packageDocumentation
 */
export { createCustomerIoEmulator } from './emulator/create-emulator.js';
export type {
  CustomerIoEmulator,
  EmulatorAttributeUpdate,
  EmulatorDevice,
  EmulatorEvent,
  EmulatorFaults,
  EmulatorOptions,
  EmulatorPerson,
  EmulatorRegion,
  EmulatorStats,
  EmulatorWorkspace,
  EmulatorWorkspaceView,
  FaultMatcher,
  FaultStep,
  ListenOptions,
  LoopbackServer,
  RecordedRequest,
} from './emulator/types.js';
export {
  type PurchaselyEventOverrides,
  purchaselyEvent,
} from './webhooks/purchasely-event.js';
export {
  type SignedWebhook,
  type SignedWebhookOptions,
  signedPurchaselyRequest,
  signedPurchaselyWebhook,
  type WebhookBody,
} from './webhooks/signed-webhook.js';

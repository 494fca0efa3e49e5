import {
  createPurchaselyBridge,
  type PurchaselyBridge,
  type PurchaselyBridgeConfig,
} from '@purchasely-customerio/core';

/** A bridge you built (to register `on()` handlers), or the configuration to build one. */
export type BridgeOrConfig = PurchaselyBridge | PurchaselyBridgeConfig;

/** The bridge behind an adapter: the one given, or one created (and validated) from the configuration now. */
export function toBridge(bridgeOrConfig: BridgeOrConfig): PurchaselyBridge {
  const candidate = bridgeOrConfig as Partial<PurchaselyBridge>;
  if (typeof candidate.fetch === 'function' && typeof candidate.handle === 'function') {
    return bridgeOrConfig as PurchaselyBridge;
  }
  return createPurchaselyBridge(bridgeOrConfig as PurchaselyBridgeConfig);
}

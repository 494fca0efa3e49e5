import { PurchaselyCustomerIoError } from '../errors.js';

/**
 * A bridge configuration that cannot work: an unknown event name, an over-long name, a bad prefix. Thrown at
 * construction, so the mistake shows at deploy time rather than on the first webhook at 3 a.m.
 *
 * @example
 * ```ts
 * try {
 *   createEventNamer({ names: { SUBSCRIPTION_RENEWD: 'renewed' } as never });
 * } catch (error) {
 *   if (error instanceof PurchaselyBridgeConfigError) console.error(error.message, error.setting);
 * }
 * ```
 */
export class PurchaselyBridgeConfigError extends PurchaselyCustomerIoError {
  override readonly name = 'PurchaselyBridgeConfigError';
  override readonly code = 'bridge_config';
  /** The setting at fault, as a dotted path, e.g. `names.SUBSCRIPTION_RENEWED`. */
  readonly setting: string;

  constructor(setting: string, message: string, options: { cause?: unknown } = {}) {
    super(`${setting}: ${message}`, options);
    this.setting = setting;
  }
}

import type { BridgeHooks } from './config.js';
import type { BridgeLogger } from './logger.js';
import { summarise } from './summarise.js';

/** Calls one of the user's hooks. */
export type Notify = <Hook extends keyof BridgeHooks>(
  hook: Hook,
  info: Parameters<NonNullable<BridgeHooks[Hook]>>[0],
) => void;

/**
 * Hooks observe and never change an outcome: a hook that throws, or whose promise rejects, is logged. A
 * rejection left unhandled would end the Node process by default.
 */
export function createNotifier(hooks: BridgeHooks, logger: BridgeLogger): Notify {
  return (hook, info) => {
    const log = (error: unknown) =>
      logger.error({ hook, err: summarise(error) }, 'purchasely-customerio: a hook threw');
    try {
      const result: unknown = (hooks[hook] as ((value: typeof info) => unknown) | undefined)?.(
        info,
      );
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        Promise.resolve(result).catch(log);
      }
    } catch (error) {
      log(error);
    }
  };
}

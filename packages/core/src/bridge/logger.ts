/**
 * The logger the bridge writes to: pino's call shape (`logger.info(object, message)`), so a pino or
 * pino-compatible logger can be passed as is. No level above `debug` ever receives a payload or a secret.
 */
export interface BridgeLogger {
  debug(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

const ignore = () => undefined;

/** The default: silent. */
export const silentLogger: BridgeLogger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
};

/** Where the console logger writes: `console` by default; inject for tests. */
export interface ConsoleLike {
  warn(line: string): void;
  error(line: string): void;
}

/**
 * The default logger: warnings and errors on the console, one readable line each (the message, then the
 * fields as `key=value`); debug and info are dropped. The bridge never gives a level above `debug` a payload
 * or a secret, so nothing sensitive reaches the console.
 *
 * @example
 * ```ts
 * createPurchaselyBridge({ ...config, logger: createConsoleLogger() }); // the default
 * // purchasely-customerio: rejected a webhook: the signature does not match (reason=signature_mismatch)
 * ```
 */
export function createConsoleLogger(target: ConsoleLike = console): BridgeLogger {
  return {
    debug: ignore,
    info: ignore,
    warn: (object, message) => target.warn(toLine(object, message)),
    error: (object, message) => target.error(toLine(object, message)),
  };
}

function toLine(object: Record<string, unknown>, message: string): string {
  const fields = Object.entries(object)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${describeValue(value)}`);
  const line = fields.length === 0 ? message : `${message} (${fields.join(', ')})`;
  return line.replace(/\s*[\r\n]+\s*/g, ' ');
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const { name, message } = value as { name?: unknown; message?: unknown };
    if (typeof message === 'string') {
      return typeof name === 'string' ? `${name}: ${message}` : message;
    }
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

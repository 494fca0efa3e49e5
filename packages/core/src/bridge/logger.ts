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

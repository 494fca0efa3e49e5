/**
 * The one base class of every error the SDK throws or returns. It sits below every other folder of
 * core (a leaf with no imports), so `customerio/`, `events/`, `mapping/` and `signature/` can all
 * extend it without knowing about each other.
 *
 * @module
 */

/** Marks instances across module copies in one realm (`Symbol.for` is a global registry). */
const BRAND = Symbol.for('purchasely-customerio.PurchaselyCustomerIoError');

/** How deep `toJSON` follows a chain of SDK causes; the rest is cut, so a cycle cannot loop. */
const MAX_CAUSE_DEPTH = 5;

/** Fields `toJSON` writes itself, or never writes. */
const RESERVED = new Set(['name', 'code', 'message', 'stack', 'cause']);

/** The JSON shape of every SDK error, as produced by `toJSON()`. */
export interface PurchaselyCustomerIoErrorJSON {
  name: string;
  code: string;
  message: string;
  [field: string]: unknown;
}

/**
 * Base class of every SDK error. Each subclass sets a stable `name` and a snake_case `code` (the
 * thing to branch or alert on), and carries its data as public fields.
 *
 * `toJSON()` is defined once, here: `name`, `code`, `message`, the subclass's own enumerable fields
 * and a summary of `cause`. Subclasses never override it; they keep credentials and payload values out
 * of their messages and fields instead. A cause is serialised through its own `toJSON()` when it is an
 * SDK error; any other cause contributes only its `name` and `code`, since its message is third-party
 * text that may echo a credential or a payload (a `SyntaxError` from `JSON.parse` quotes the body).
 *
 * @example
 * ```ts
 * import { isPurchaselyCustomerIoError } from '@purchasely-customerio/core';
 *
 * try {
 *   await bridge.handle(request);
 * } catch (error) {
 *   if (isPurchaselyCustomerIoError(error)) logger.error(error.toJSON(), error.code);
 *   else throw error;
 * }
 * ```
 */
export abstract class PurchaselyCustomerIoError extends Error {
  override name = 'PurchaselyCustomerIoError';
  /** Stable snake_case identifier of the failure, e.g. `customerio_http` or `invalid_json`. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A credential-free summary, used by `JSON.stringify` and by loggers that call it. */
  toJSON(): PurchaselyCustomerIoErrorJSON {
    return serialise(this, 0);
  }
}

/**
 * Whether `error` is any SDK error, including one thrown by another copy of the module.
 *
 * @example
 * ```ts
 * if (isPurchaselyCustomerIoError(error) && error.code === 'bridge_config') process.exit(1);
 * ```
 */
export function isPurchaselyCustomerIoError(error: unknown): error is PurchaselyCustomerIoError {
  return (
    error instanceof PurchaselyCustomerIoError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BRAND] === true)
  );
}

function serialise(error: PurchaselyCustomerIoError, depth: number): PurchaselyCustomerIoErrorJSON {
  const json: PurchaselyCustomerIoErrorJSON = {
    name: error.name,
    code: error.code,
    message: error.message,
  };
  for (const key of Object.keys(error)) {
    if (!RESERVED.has(key)) json[key] = (error as unknown as Record<string, unknown>)[key];
  }
  if (error.cause !== undefined) json.cause = summariseCause(error.cause, depth + 1);
  return json;
}

function summariseCause(cause: unknown, depth: number): unknown {
  // Serialised here rather than through the cause's own toJSON, so a second copy of the module
  // cannot restart the depth count.
  if (isPurchaselyCustomerIoError(cause) && depth <= MAX_CAUSE_DEPTH)
    return serialise(cause, depth);
  if (typeof cause === 'object' && cause !== null) {
    // Error-like objects too (test runners and loggers may have replaced the Error already).
    const { name, code } = cause as { name?: unknown; code?: unknown };
    return {
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return typeof cause;
}

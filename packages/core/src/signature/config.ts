import { PurchaselySignatureConfigError } from './errors.js';

/** Replay window applied when `toleranceSeconds` is not given: five minutes either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SECRET_HINT =
  "Use the Purchasely 'Client shared secret' (Console > Settings > Webhooks); an unset environment " +
  'variable is the usual cause.';

/**
 * Normalises `secret` to a non-empty list of non-empty strings. Errors name the position of a bad
 * entry, never a value, so they are safe to log.
 */
export function resolveSecrets(secret: unknown): readonly string[] {
  if (typeof secret === 'string') {
    if (secret.length === 0) {
      throw new PurchaselySignatureConfigError(`secret is an empty string. ${SECRET_HINT}`);
    }
    return [secret];
  }
  if (!Array.isArray(secret)) {
    throw new PurchaselySignatureConfigError(
      `secret must be a string or an array of strings, received ${secret === null ? 'null' : typeof secret}. ${SECRET_HINT}`,
    );
  }
  if (secret.length === 0) {
    throw new PurchaselySignatureConfigError(
      `secret is an empty list: pass at least one secret. ${SECRET_HINT}`,
    );
  }
  secret.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry.length === 0) {
      throw new PurchaselySignatureConfigError(
        `secret[${index}] is ${typeof entry === 'string' ? 'an empty string' : `not a string (${entry === null ? 'null' : typeof entry})`}. ${SECRET_HINT}`,
      );
    }
  });
  // A copy, so a caller mutating its array during the await cannot change what was checked.
  return [...(secret as readonly string[])];
}

/** `Infinity` disables the replay check; negative or NaN values are rejected. */
export function resolveTolerance(toleranceSeconds: unknown): number {
  if (toleranceSeconds === undefined) return DEFAULT_TOLERANCE_SECONDS;
  if (
    typeof toleranceSeconds !== 'number' ||
    Number.isNaN(toleranceSeconds) ||
    toleranceSeconds < 0
  ) {
    throw new PurchaselySignatureConfigError(
      `toleranceSeconds must be a number >= 0 (or Infinity to disable the replay check), received ${String(toleranceSeconds)}.`,
    );
  }
  return toleranceSeconds;
}

/** Reads the injected clock and insists on epoch milliseconds. */
export function readClock(now: () => number): number {
  const value = now();
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PurchaselySignatureConfigError(
      `now() must return epoch milliseconds as a finite number (like Date.now()), received ${String(value)}.`,
    );
  }
  return value;
}

/** Rejects a non-function where a callback is expected. */
export function assertOptionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new PurchaselySignatureConfigError(
      `${name} must be a function, received ${typeof value}.`,
    );
  }
}

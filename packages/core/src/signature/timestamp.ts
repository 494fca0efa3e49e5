/**
 * Values at or above this are read as epoch milliseconds, below it as epoch seconds.
 *
 * Purchasely's documented sample (`1698322022`) is in seconds, but the unit is not stated anywhere.
 * 1e11 seconds is the year 5138 while 1e11 milliseconds is 1973, so any plausible timestamp is
 * unambiguous. The HMAC covers the timestamp string as sent, so this guess only affects the replay
 * window, never authenticity.
 */
export const MILLISECONDS_THRESHOLD = 1e11;

/** A timestamp header parsed into its unit. */
export interface ParsedTimestamp {
  /** The value in the header's own unit. */
  readonly value: number;
  /** Milliseconds per unit of `value`: 1000 for seconds, 1 for milliseconds. */
  readonly unitMs: 1 | 1000;
  /** Unix seconds, floored when the header carried milliseconds. */
  readonly seconds: number;
}

const DIGITS = /^\d+$/;

/** @returns `undefined` unless the value is all ASCII digits and a safe integer. */
export function parseTimestamp(raw: string): ParsedTimestamp | undefined {
  if (!DIGITS.test(raw)) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) return undefined;
  const unitMs = value >= MILLISECONDS_THRESHOLD ? 1 : 1000;
  return { value, unitMs, seconds: unitMs === 1 ? Math.floor(value / 1000) : value };
}

/** How far outside the tolerance a timestamp lies, or `undefined` when it is inside. */
export interface TimestampSkew {
  readonly direction: 'past' | 'future';
  readonly seconds: number;
}

/**
 * Checks the timestamp against the clock in both directions, inclusive of the tolerance itself.
 * A seconds timestamp cannot say where in its second it was signed, so the clock is floored to the
 * header's precision instead of penalising the sender for up to a second.
 */
export function timestampSkew(
  timestamp: ParsedTimestamp,
  nowMs: number,
  toleranceSeconds: number,
): TimestampSkew | undefined {
  if (toleranceSeconds === Number.POSITIVE_INFINITY) return undefined;
  const age = Math.floor(nowMs / timestamp.unitMs) - timestamp.value;
  const tolerance = (toleranceSeconds * 1000) / timestamp.unitMs;
  if (age > tolerance) return { direction: 'past', seconds: (age * timestamp.unitMs) / 1000 };
  if (-age > tolerance) return { direction: 'future', seconds: (-age * timestamp.unitMs) / 1000 };
  return undefined;
}

import { UsageError } from './exit-codes.js';

/**
 * A point in time from a flag: an ISO 8601 date (`2024-05-01`, `2024-05-01T12:00:00Z`) or milliseconds since
 * the epoch (`1714564800000`). Anything else is a `UsageError` naming the flag.
 */
export function parseTime(value: unknown, flag: string): number {
  const text = String(value).trim();
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new UsageError(
      `${flag} must be an ISO date (2024-05-01T12:00:00Z) or epoch milliseconds (got ${JSON.stringify(text)})`,
    );
  return ms;
}

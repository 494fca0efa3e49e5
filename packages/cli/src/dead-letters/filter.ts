import type { DeadLetter } from '@purchasely-customerio/redis';
import { UsageError } from '../exit-codes.js';
import { parseTime } from '../time.js';

/** Which dead letters a command acts on; every given criterion must match. */
export interface DeadLetterFilter {
  /** Purchasely event names (`SUBSCRIPTION_STARTED`), any case. */
  events?: string[];
  /** A piece of the failure reason, any case (`customerio_rejected`, `retry (unavailable)`, `400`). */
  reason?: string;
  /** Failed at or after (ms since the epoch). */
  since?: number;
  /** Failed before (ms since the epoch). */
  until?: number;
}

export interface FilterFlags {
  event?: unknown;
  reason?: unknown;
  since?: unknown;
  until?: unknown;
}

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).flatMap((item) =>
    String(item)
      .split(',')
      .map((name) => name.trim().toUpperCase())
      .filter(Boolean),
  );

/** The filter from `--event` (repeatable or comma-separated), `--reason`, `--since` and `--until`. */
export function filterFromFlags(flags: FilterFlags): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (flags.event !== undefined) filter.events = list(flags.event);
  if (flags.reason !== undefined) {
    if (String(flags.reason) === '') throw new UsageError('--reason must not be empty');
    filter.reason = String(flags.reason).toLowerCase();
  }
  if (flags.since !== undefined) filter.since = parseTime(flags.since, '--since');
  if (flags.until !== undefined) filter.until = parseTime(flags.until, '--until');
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until)
    throw new UsageError('--since must be before --until');
  return filter;
}

export function isFiltering(filter: DeadLetterFilter): boolean {
  return Object.keys(filter).length > 0;
}

export function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.events && !filter.events.includes(letter.eventName.toUpperCase())) return false;
  if (filter.reason && !letter.reason.toLowerCase().includes(filter.reason)) return false;
  const failedAt = letter.failedAt;
  if (filter.since !== undefined && (failedAt === undefined || failedAt < filter.since))
    return false;
  if (filter.until !== undefined && (failedAt === undefined || failedAt >= filter.until))
    return false;
  return true;
}

/** The filter in words, for summaries: `event SUBSCRIPTION_STARTED, reason containing "400"`. */
export function describeFilter(filter: DeadLetterFilter): string {
  const parts: string[] = [];
  if (filter.events) parts.push(`event ${filter.events.join(' or ')}`);
  if (filter.reason) parts.push(`reason containing ${JSON.stringify(filter.reason)}`);
  if (filter.since !== undefined)
    parts.push(`failed since ${new Date(filter.since).toISOString()}`);
  if (filter.until !== undefined)
    parts.push(`failed before ${new Date(filter.until).toISOString()}`);
  return parts.length > 0 ? parts.join(', ') : 'all';
}

import { createHash } from 'node:crypto';

/**
 * The CSV layout of `backfill`: one row per subscription, columns named after Purchasely's api_version 3
 * fields. Each row becomes the webhook body Purchasely would have sent, then goes through the same policy and
 * mapping as a live webhook. Documented in the package README (The CSV layout); keep the two in step.
 */

/** Columns a file must have (a cell may still be empty where the field is optional). */
export const REQUIRED_COLUMNS = ['environment'] as const;

/** Either of each pair must be present as a column. */
export const REQUIRED_ONE_OF = [
  ['user_id', 'anonymous_user_id'],
  ['event_created_at_ms', 'event_created_at'],
] as const;

/**
 * The event a row stands for when it has no `event_name`: the lifecycle event that leaves a subscription in
 * its `subscription_status`.
 */
export const EVENT_FOR_STATUS: Readonly<Record<string, string>> = {
  AUTO_RENEWING: 'SUBSCRIPTION_STARTED',
  AUTO_RENEWING_CANCELED: 'RENEWAL_DISABLED',
  IN_GRACE_PERIOD: 'GRACE_PERIOD_STARTED',
  ON_HOLD: 'ENTERED_BILLING_RETRY',
  PAUSED: 'SUBSCRIPTION_PAUSED',
  DEACTIVATED: 'SUBSCRIPTION_TERMINATED',
  REVOKED: 'SUBSCRIPTION_REFUNDED_REVOKED',
  UNPAID: 'SUBSCRIPTION_TERMINATED',
};

/** A row that cannot become a webhook body, and why. */
export class CsvRowError extends Error {
  override readonly name = 'CsvRowError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The missing columns of a header, as one message, or undefined when the header is complete. */
export function checkHeader(columns: readonly string[]): string | undefined {
  const present = new Set(columns);
  const missing: string[] = REQUIRED_COLUMNS.filter((column) => !present.has(column));
  for (const pair of REQUIRED_ONE_OF) {
    if (!pair.some((column) => present.has(column))) missing.push(pair.join(' or '));
  }
  return missing.length === 0 ? undefined : `the CSV header lacks ${missing.join(', ')}`;
}

/**
 * One CSV row as the webhook body Purchasely would have sent. Empty cells are left out. `*_ms` columns and
 * `<amount>_in_<currency>` columns are numbers, `is_*` columns booleans (`true`/`false`), the rest strings;
 * each `<date>_ms` gets its ISO twin `<date>` and the reverse. `event_name` defaults from
 * `subscription_status` ({@link EVENT_FOR_STATUS}); `event_id` defaults to a UUID-shaped hash of the row's
 * ids, so a rerun of the same file gives the same ids and Customer.io deduplicates its events.
 */
export function csvRowToEvent(row: Readonly<Record<string, string>>): Record<string, unknown> {
  const event: Record<string, unknown> = { api_version: 3 };
  for (const [column, raw] of Object.entries(row)) {
    const cell = raw.trim();
    if (cell === '' || column === '') continue;
    event[column] = convert(column, cell);
  }
  for (const column of Object.keys(event)) {
    if (column.endsWith('_ms')) {
      const iso = column.slice(0, -3);
      if (event[iso] === undefined) event[iso] = new Date(event[column] as number).toISOString();
    }
  }
  for (const column of Object.keys(event)) {
    if (/_at$/.test(column) && event[`${column}_ms`] === undefined) {
      const ms = Date.parse(event[column] as string);
      if (Number.isNaN(ms)) {
        throw new CsvRowError('invalid_date', `${column}: not an ISO 8601 date`);
      }
      event[`${column}_ms`] = ms;
    }
  }
  if (event.event_created_at_ms === undefined) {
    throw new CsvRowError('missing_field', 'event_created_at_ms (or event_created_at) is empty');
  }
  if (event.event_name === undefined) {
    const status = event.subscription_status;
    const derived = typeof status === 'string' ? EVENT_FOR_STATUS[status] : undefined;
    if (derived === undefined) {
      throw new CsvRowError(
        'missing_field',
        'event_name is empty and subscription_status gives none (one of ' +
          `${Object.keys(EVENT_FOR_STATUS).join(', ')})`,
      );
    }
    event.event_name = derived;
  }
  event.event_id ??= rowEventId(event);
  return event;
}

function convert(column: string, cell: string): unknown {
  if (column.endsWith('_ms') || /_in_[a-z]{3}$/i.test(column)) {
    const value = Number(cell);
    if (!Number.isFinite(value)) throw new CsvRowError('invalid_number', `${column}: not a number`);
    return value;
  }
  if (column.startsWith('is_')) {
    const lower = cell.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new CsvRowError('invalid_boolean', `${column}: expected true or false`);
  }
  return cell;
}

/** A UUID-shaped id from the fields that identify one subscription at one moment. */
function rowEventId(event: Record<string, unknown>): string {
  const fields = [
    'user_id',
    'anonymous_user_id',
    'purchasely_subscription_id',
    'purchasely_one_time_purchase_id',
    'store_original_transaction_id',
    'store_transaction_id',
    'product',
    'plan',
    'event_name',
    'event_created_at_ms',
  ];
  const hex = createHash('sha256')
    .update(
      JSON.stringify([
        'purchasely-customerio-backfill-csv',
        ...fields.map((field) => event[field] ?? null),
      ]),
    )
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

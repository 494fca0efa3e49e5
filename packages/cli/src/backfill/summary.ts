import type { FailedRow } from './run-backfill.js';

/** What a backfill did, for the final table. Counts are over every run of one checkpoint. */
export interface BackfillSummary {
  file: string;
  dryRun: boolean;
  events: boolean;
  status: 'finished' | 'interrupted' | 'already_finished';
  rowsRead: number;
  /** Known people in the file (anonymous ids are not people). */
  people: number;
  peopleUpdated: number;
  eventsSent: number;
  /** Accepted anonymous events that had nothing to send without `--events`. */
  anonymousWithoutEvents?: number;
  skipped: Record<string, number>;
  failed: number;
  /** HTTP requests to Customer.io in this run. */
  requests: number;
  /** People done before this run, from the checkpoint. */
  resumedFrom: number;
  elapsedMs: number;
  firstFailures?: FailedRow[];
  failedPath?: string;
}

/** The summary as an aligned table, for stdout. */
export function formatSummary(summary: BackfillSummary): string {
  const would = summary.dryRun ? 'would be ' : '';
  const skipped = { ...summary.skipped };
  if (summary.anonymousWithoutEvents) {
    skipped.anonymous_without_events = summary.anonymousWithoutEvents;
  }
  const skippedTotal = Object.values(skipped).reduce((sum, count) => sum + count, 0);
  const reasons = Object.entries(skipped)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  const rows: Array<[string, number | string, string]> = [
    ['rows read', summary.rowsRead, ''],
    [
      `people ${would}updated`,
      summary.peopleUpdated,
      `of ${summary.people}, one attribute update each`,
    ],
    [
      `events ${would}sent`,
      summary.eventsSent,
      summary.events
        ? 'original times, deterministic ids'
        : 'attributes only (--events sends them)',
    ],
    ['skipped', skippedTotal, reasons],
    [
      'failed',
      summary.failed,
      summary.failed > 0 && summary.failedPath ? `listed in ${summary.failedPath}` : '',
    ],
  ];
  if (!summary.dryRun && summary.status !== 'already_finished') {
    rows.push(['requests', summary.requests, `in ${(summary.elapsedMs / 1000).toFixed(1)} s`]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  const numbers = Math.max(...rows.map(([, value]) => String(value).length));
  const title = summary.dryRun
    ? `Backfill of ${summary.file}: dry run, nothing sent`
    : `Backfill of ${summary.file}: ${summary.status.replace('_', ' ')}`;
  const lines = [title];
  for (const [label, value, note] of rows) {
    lines.push(
      `  ${label.padEnd(width)}  ${String(value).padStart(numbers)}${note ? `  ${note}` : ''}`,
    );
  }
  for (const failure of summary.firstFailures ?? []) {
    lines.push(`  ! row ${failure.row}: ${failure.reason}: ${failure.message}`);
  }
  if (summary.failed > (summary.firstFailures?.length ?? 0) && summary.failedPath) {
    lines.push(`  … the rest in ${summary.failedPath}`);
  }
  return `${lines.join('\n')}\n`;
}

import type { DeadLetter } from '@purchasely-customerio/redis';

const REASON_WIDTH = 60;

const shorten = (text: string, width: number) =>
  text.length <= width ? text : `${text.slice(0, width - 1)}…`;

/** Dead letters as an aligned text table: key, event name, reason (shortened), attempts, failed at. */
export function formatTable(letters: readonly DeadLetter[]): string {
  const rows = letters.map((letter) => [
    letter.key,
    letter.eventName,
    shorten(letter.reason.replace(/\s+/g, ' '), REASON_WIDTH),
    String(letter.attempts),
    letter.failedAt === undefined ? '-' : new Date(letter.failedAt).toISOString(),
  ]);
  const header = ['KEY', 'EVENT', 'REASON', 'ATTEMPTS', 'FAILED AT'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] as number),
        )
        .join('  '),
    )
    .join('\n');
}

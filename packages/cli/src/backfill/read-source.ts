import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { CsvRowError, checkHeader, csvRowToEvent } from './csv-layout.js';

export type SourceFormat = 'ndjson' | 'csv';

/** One row of the source: a webhook body, or why the row has none. `row` is its 1-based line. */
export type SourceRow =
  | { row: number; body: string }
  | { row: number; failure: { reason: string; message: string; record?: unknown } };

/** The format a file name implies: `.csv` is CSV, anything else NDJSON. */
export function formatOf(path: string): SourceFormat {
  return path.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson';
}

/** A SHA-256 of the file, so a checkpoint is never applied to another file (or an edited one). */
export async function fingerprint(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * The rows of a backfill source. NDJSON: each line is an archive record (an object whose `body` is the raw
 * webhook body, as `createFileArchive` and `--failed` write them) or a raw webhook body itself; blank lines
 * are ignored. CSV: the documented layout, each row turned into the body Purchasely would have sent.
 */
export async function* readSource(path: string, format: SourceFormat): AsyncGenerator<SourceRow> {
  if (format === 'csv') {
    yield* readCsv(path);
    return;
  }
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let row = 0;
  for await (const line of lines) {
    row++;
    if (line.trim() === '') continue;
    yield { row, body: bodyOf(line) };
  }
}

/** An archive record's body, or the line itself (byte-exact) when it is a raw body or not JSON at all. */
function bodyOf(line: string): string {
  if (!line.includes('"body"')) return line;
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const { body } = value as { body?: unknown };
      if (typeof body === 'string') return body;
    }
  } catch {
    // Not JSON: the bridge's parser says so, as it would for a live webhook.
  }
  return line;
}

async function* readCsv(path: string): AsyncGenerator<SourceRow> {
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      columns: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: false,
    }),
  );
  let checked = false;
  try {
    for await (const item of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      if (!checked) {
        const problem = checkHeader(Object.keys(item.record));
        if (problem) throw new Error(`${path}: ${problem} (see BACKFILL.md for the layout)`);
        checked = true;
      }
      const row = item.info.lines;
      try {
        yield { row, body: JSON.stringify(csvRowToEvent(item.record)) };
      } catch (error) {
        if (!(error instanceof CsvRowError)) throw error;
        yield {
          row,
          failure: { reason: error.reason, message: error.message, record: item.record },
        };
      }
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      throw new Error(`${path}: ${(error as Error).message}`);
    }
    throw error;
  }
}

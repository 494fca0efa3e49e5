import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from '../exit-codes.js';
import { CsvRowError, checkHeader, csvRowToEvent } from './csv-layout.js';

export type SourceFormat = 'ndjson' | 'csv';

/**
 * One row of the source: a webhook body, or why the row has none. `row` is its 1-based line; `start` and
 * `end` are its bytes in the file, so {@link RowReader.bodyAt} can read it again.
 */
export type SourceRow =
  | { row: number; start: number; end: number; body: string }
  | {
      row: number;
      start: number;
      end: number;
      failure: { reason: string; message: string; record?: unknown };
    };

/** The format a file name implies: `.csv` is CSV, anything else NDJSON. */
export function formatOf(path: string): SourceFormat {
  return path.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson';
}

/** A missing file, or a directory, is a usage error naming it (exit 2), not a raw ENOENT (exit 1). */
export async function checkSourceFile(path: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory())
      throw new UsageError(`${path} is a directory, not a file`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`no such file: ${path}`);
    throw error;
  }
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
 * A backfill source: its rows, read once in order, then any row again by its bytes. NDJSON: each line is an
 * archive record (an object whose `body` is the raw webhook body, as `createFileArchive` and `--failed`
 * write them), a `--failed` line of a CSV row that gave no body (its `record`, the row's cells by column,
 * read through the CSV layout), or a raw webhook body itself; blank lines are ignored. CSV: the documented layout, each row
 * turned into the body Purchasely would have sent.
 */
export interface RowReader {
  rows(): AsyncGenerator<SourceRow>;
  /** The body of the row at these bytes, exactly as {@link rows} gave it (read again from the file). */
  bodyAt(span: { start: number; end: number }): Promise<string>;
  close(): Promise<void>;
}

export function openSource(path: string, format: SourceFormat): RowReader {
  let descriptor: number | undefined;
  let header: string[] | undefined;
  // A synchronous read: a row is a few kilobytes from the page cache, cheaper than a trip to libuv's pool.
  const bytesAt = ({ start, end }: { start: number; end: number }) => {
    descriptor ??= openSync(path, 'r');
    const buffer = Buffer.allocUnsafe(end - start);
    let read = 0;
    while (read < buffer.length) {
      const bytesRead = readSync(descriptor, buffer, read, buffer.length - read, start + read);
      if (bytesRead === 0)
        throw new Error(`${path} is shorter than when it was read: was it changed?`);
      read += bytesRead;
    }
    return buffer.toString('utf8');
  };
  return {
    rows:
      format === 'csv'
        ? () =>
            readCsv(path, (columns) => {
              header = columns;
            })
        : () => readNdjson(path),
    async bodyAt(span) {
      const text = bytesAt(span);
      if (format === 'ndjson') {
        const line = lineToRow(text);
        if ('failure' in line) throw new Error(`${path}: bytes ${span.start}-${span.end}: no body`);
        return line.body;
      }
      // The first row's bytes start with the header (see readCsv).
      const [record] = parseCsv<Record<string, string>>(text, {
        bom: true,
        columns: span.start === 0 ? true : (header ?? true),
        skip_empty_lines: true,
      });
      if (!record) throw new Error(`${path}: no CSV row at bytes ${span.start}-${span.end}`);
      return JSON.stringify(csvRowToEvent(record));
    },
    async close() {
      if (descriptor !== undefined) closeSync(descriptor);
      descriptor = undefined;
    },
  };
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Lines split on LF (a CRLF's CR is dropped) by hand rather than with readline, which gives no byte
 * offsets. Lines are decoded as UTF-8 one by one, as readline's decoder would.
 */
async function* readNdjson(path: string): AsyncGenerator<SourceRow> {
  let row = 0;
  let rest: Buffer = Buffer.alloc(0);
  let restStart = 0;
  const lineOf = (buffer: Buffer, from: number, to: number): SourceRow | undefined => {
    row++;
    const end = to > from && buffer[to - 1] === CARRIAGE_RETURN ? to - 1 : to;
    const line = buffer.toString('utf8', from, end);
    if (line.trim() === '') return undefined;
    return { row, start: restStart + from, end: restStart + end, ...lineToRow(line) };
  };
  for await (const chunk of createReadStream(path)) {
    const buffer = rest.length === 0 ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
    let from = 0;
    for (
      let newline = buffer.indexOf(NEWLINE);
      newline !== -1;
      newline = buffer.indexOf(NEWLINE, from)
    ) {
      const line = lineOf(buffer, from, newline);
      if (line) yield line;
      from = newline + 1;
    }
    rest = buffer.subarray(from);
    restStart += from;
  }
  if (rest.length > 0) {
    const line = lineOf(rest, 0, rest.length);
    if (line) yield line;
  }
}

type LineRow = { body: string } | { failure: { reason: string; message: string; record: unknown } };

/**
 * An archive record's body; a CSV row's body from a `--failed` line's `record` (so the failures of a CSV
 * run, fixed, are input again); or the line itself (byte-exact) when it is a raw body or not JSON at all.
 */
function lineToRow(line: string): LineRow {
  if (!line.includes('"body"') && !line.includes('"record"')) return { body: line };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Not JSON: the bridge's parser says so, as it would for a live webhook.
    return { body: line };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { body: line };
  const { body, record } = value as { body?: unknown; record?: unknown };
  if (typeof body === 'string') return { body };
  // A webhook body has an api_version; a `--failed` line has none.
  if (isCsvRecord(record) && !('api_version' in value)) {
    try {
      return { body: JSON.stringify(csvRowToEvent(record)) };
    } catch (error) {
      if (!(error instanceof CsvRowError)) throw error;
      return { failure: { reason: error.reason, message: error.message, record } };
    }
  }
  return { body: line };
}

/** A CSV row as `--failed` writes it: cells by column, all strings. */
function isCsvRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((cell) => typeof cell === 'string')
  );
}

async function* readCsv(
  path: string,
  onHeader: (columns: string[]) => void,
): AsyncGenerator<SourceRow> {
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      columns: true,
      skip_empty_lines: true,
      info: true,
    }),
  );
  let checked = false;
  // A row's bytes: from the end of the row before it (blank lines included) to `info.bytes`, its end. The
  // first row's start from the top, header included: csv-parse tells where a record ends, not the header.
  let previousEnd = 0;
  try {
    for await (const item of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number; bytes: number };
    }>) {
      if (!checked) {
        const problem = checkHeader(Object.keys(item.record));
        if (problem)
          throw new Error(
            `${path}: ${problem} (the CSV layout: the README of @purchasely-customerio/cli)`,
          );
        onHeader(Object.keys(item.record));
        checked = true;
      }
      const row = item.info.lines;
      const end = item.info.bytes;
      const span = { row, start: previousEnd, end };
      previousEnd = end;
      try {
        yield { ...span, body: JSON.stringify(csvRowToEvent(item.record)) };
      } catch (error) {
        if (!(error instanceof CsvRowError)) throw error;
        yield {
          ...span,
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

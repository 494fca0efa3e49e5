import { UsageError } from '../exit-codes.js';
import { parseTime } from '../time.js';

/** A request as captured: its headers and its body exactly as received. */
export interface CapturedRequest {
  headers: Record<string, string | string[]>;
  body: string;
  /** When it was received (ms since the epoch), if the capture says. */
  receivedAt?: number;
}

/**
 * Reads a capture in either documented format:
 *
 * - JSON: `{ "headers": { "X-PURCHASELY-TIMESTAMP": "…", … }, "body": "<the raw body as one string>",
 *   "receivedAt": "<ISO date or epoch ms, optional>" }`; a header repeated is an array of values.
 * - HTTP message: an optional request line (`POST /webhooks/purchasely HTTP/1.1`), `Name: value` header
 *   lines, one blank line, then the body byte for byte to the end of the input (LF or CRLF line ends); one
 *   newline at the very end is taken as the file's, not the body's.
 */
export function parseCapture(text: string, source: string): CapturedRequest {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return parseJsonCapture(trimmed, source);
  return parseHttpCapture(text, source);
}

function parseJsonCapture(text: string, source: string): CapturedRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} starts with { but is not JSON: ${(error as Error).message}`);
  }
  const { headers, body, receivedAt } = parsed as Record<string, unknown>;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    throw new UsageError(`${source}: "headers" must be an object of header names to values`);
  if (typeof body !== 'string')
    throw new UsageError(
      `${source}: "body" must be the raw body as one JSON string (not the parsed object: parsing loses the bytes that were signed)`,
    );
  const checked: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' || typeof value === 'number') checked[name] = String(value);
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
      checked[name] = value as string[];
    else throw new UsageError(`${source}: header ${name} must be a string or a list of strings`);
  }
  return {
    headers: checked,
    body,
    ...(receivedAt === undefined ? {} : { receivedAt: parseTime(receivedAt, 'receivedAt') }),
  };
}

function parseHttpCapture(text: string, source: string): CapturedRequest {
  const separator = /\r?\n\r?\n/.exec(text);
  if (!separator)
    throw new UsageError(
      `${source}: expected headers, a blank line, then the body (or a JSON capture: { "headers": {…}, "body": "…" })`,
    );
  const head = text.slice(0, separator.index);
  // A text file ends with a newline that was never part of the body: drop one.
  const body = text.slice(separator.index + separator[0].length).replace(/\r?\n$/, '');
  const headers: Record<string, string | string[]> = {};
  for (const [index, line] of head.split(/\r?\n/).entries()) {
    if (index === 0 && /^[A-Z]+ \S+( HTTP\/[\d.]+)?$/.test(line)) continue;
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new UsageError(`${source}: line ${index + 1} is not a "Name: value" header`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const existing = headers[name];
    headers[name] =
      existing === undefined
        ? value
        : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return { headers, body };
}

import type * as z from 'zod/mini';
import { isPurchaselyEventName } from './catalog.js';
import { ENUM_FIELDS } from './enums.js';
import { PurchaselyPayloadError, type PurchaselyPayloadIssue } from './errors.js';
import { schemaForEvent, unknownPurchaselyEventSchema } from './schemas.js';
import type { PurchaselyEvent, UnknownPurchaselyEvent } from './types.js';

/** Something in an accepted event worth an operator's attention; the event itself was parsed. */
export type PurchaselyParseWarning =
  | { code: 'unknown_event_name'; eventName: string; message: string }
  | { code: 'unknown_enum_value'; field: string; value: string; message: string }
  | { code: 'unknown_api_version'; apiVersion: number; message: string };

/** The outcome of {@link parsePurchaselyEvent}. */
export type ParsePurchaselyEventResult =
  | { ok: true; known: true; event: PurchaselyEvent; warnings: PurchaselyParseWarning[] }
  | { ok: true; known: false; event: UnknownPurchaselyEvent; warnings: PurchaselyParseWarning[] }
  | { ok: false; error: PurchaselyPayloadError };

export interface ParsePurchaselyEventOptions {
  /** Called once per warning, as well as listed in the result: a convenient hook for a logger. */
  onWarning?: (warning: PurchaselyParseWarning) => void;
}

const SUPPORTED_API_VERSION = 3;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The deepest nesting a body may have; the body object itself is level 1. Purchasely sends a single flat
 * object (reference §2.1), so 32 leaves ample room for fields it may add, while a body nested 100,000 levels
 * deep (kept whole by the loose schema) would overflow the stack of whatever serialises it later: a
 * RangeError on every re-delivery. Checked without recursion, on the text before `JSON.parse` and on values.
 */
export const MAX_NESTING_DEPTH = 32;

/** The longest piece of a payload value (an event name, an enum value) echoed in a message. */
const MAX_ECHOED_LENGTH = 100;

/**
 * Reads a Purchasely webhook body as a typed api_version 3 event. Never throws on bad input: the result says
 * whether the event is one of the 42 known ones, an event this SDK does not know yet (still usable), or why
 * the body was refused.
 *
 * Verify the signature over the raw bytes first (`verifyPurchaselySignature`); then parse those same bytes.
 *
 * @param input - the raw body (`string`, `Uint8Array` or `ArrayBuffer`), or a value already produced by
 *   `JSON.parse`.
 *
 * @example
 * ```ts
 * const result = parsePurchaselyEvent(rawBody, { onWarning: (w) => logger.warn(w, w.message) });
 * if (!result.ok) return new Response(result.error.message, { status: 400 });
 * if (result.known && result.event.event_name === 'SUBSCRIPTION_RENEWED') {
 *   result.event.effective_next_renewal_at; // precisely typed
 * }
 * ```
 */
export function parsePurchaselyEvent(
  input: unknown,
  options: ParsePurchaselyEventOptions = {},
): ParsePurchaselyEventResult {
  const json = readJson(input);
  if (!json.ok) return json;
  const payload = json.value;
  if (!json.checkedDepth && nestsTooDeep(payload)) return tooDeep();

  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return failure(
      'not_an_object',
      `A Purchasely webhook body is a JSON object; this one is ${describe(payload)}.`,
    );
  }
  const record = payload as Record<string, unknown>;

  const warnings: PurchaselyParseWarning[] = [];
  const warn = (warning: PurchaselyParseWarning) => {
    warnings.push(warning);
    options.onWarning?.(warning);
  };

  const versionError = checkApiVersion(record, warn);
  if (versionError) return { ok: false, error: versionError };

  const eventName = record.event_name;
  if (typeof eventName !== 'string' || eventName.length === 0) {
    return failure('invalid_payload', 'The body has no event_name: it is not a Purchasely event.', [
      { path: 'event_name', message: 'expected a non-empty string' },
    ]);
  }

  const known = isPurchaselyEventName(eventName);
  // A known name goes straight to its own event's schema: what the discriminated union would pick.
  const schema: z.ZodMiniType<PurchaselyEvent | UnknownPurchaselyEvent, unknown> = known
    ? (schemaForEvent(eventName) as unknown as z.ZodMiniType<PurchaselyEvent, unknown>)
    : unknownPurchaselyEventSchema;
  const parsed = schema.safeParse(record);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => toIssue(issue, record));
    const list = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return failure(
      'invalid_payload',
      `Invalid Purchasely ${clip(eventName)} event: ${list}.`,
      issues,
      parsed.error,
    );
  }

  if (!known) {
    warn({
      code: 'unknown_event_name',
      eventName,
      message: `Unknown Purchasely event "${clip(eventName)}": parsed with the shared fields only.`,
    });
  }
  warnUnknownEnumValues(record, warn);

  return known
    ? { ok: true, known: true, event: parsed.data as PurchaselyEvent, warnings }
    : { ok: true, known: false, event: parsed.data as UnknownPurchaselyEvent, warnings };
}

function readJson(
  input: unknown,
):
  | { ok: true; value: unknown; checkedDepth: boolean }
  | { ok: false; error: PurchaselyPayloadError } {
  let text: string;
  if (typeof input === 'string') {
    // A byte-order mark is dropped as the decoder drops it from bytes: the same body parses the same either
    // way (an archived body, kept as text, is parsed again by a backfill).
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    try {
      text = utf8.decode(input);
    } catch (cause) {
      // The decoder reports malformed bytes as a TypeError; anything else (a body longer than the longest
      // string the runtime can make) says nothing about the body and will not change on re-delivery.
      if (!(cause instanceof TypeError)) return unreadable(cause);
      return failure('invalid_json', 'The body is not valid UTF-8 text.', [], cause);
    }
  } else {
    return { ok: true, value: input, checkedDepth: false };
  }
  // Before JSON.parse: a parser that recurses (or a later serialiser) must never meet a deep body.
  if (textNestsTooDeep(text)) return tooDeep();
  try {
    return { ok: true, value: JSON.parse(text), checkedDepth: true };
  } catch (cause) {
    if (!(cause instanceof SyntaxError)) return unreadable(cause);
    return failure(
      'invalid_json',
      text.trim() === ''
        ? 'The body is empty; expected a JSON object.'
        : 'The body is not valid JSON.',
      [],
      cause,
    );
  }
}

/** Whether JSON text opens more than MAX_NESTING_DEPTH brackets at once, counting outside strings only. */
function textNestsTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c /* \ */) index++;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (++depth > MAX_NESTING_DEPTH) return true;
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}

/**
 * Whether a value (given already parsed) nests objects or arrays more than MAX_NESTING_DEPTH levels. An
 * explicit stack, not recursion; a cycle counts as too deep. An object reached again is walked again only
 * from a deeper level, so shared branches cost at most MAX_NESTING_DEPTH visits each.
 */
function nestsTooDeep(root: unknown): boolean {
  const deepestSeen = new Map<object, number>();
  const stack: Array<[unknown, number]> = [[root, 1]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [value, depth] = entry;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_NESTING_DEPTH) return true;
    if ((deepestSeen.get(value) ?? 0) >= depth) continue;
    deepestSeen.set(value, depth);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

function tooDeep(): { ok: false; error: PurchaselyPayloadError } {
  return failure(
    'invalid_payload',
    `The body is nested deeper than ${MAX_NESTING_DEPTH} levels; a Purchasely body is a flat JSON object.`,
  );
}

/** A body the runtime could not read (too large to decode or parse here): re-delivery cannot fix it. */
function unreadable(cause: unknown): { ok: false; error: PurchaselyPayloadError } {
  return failure(
    'invalid_payload',
    'The body could not be read as JSON by this runtime (too large or too deeply nested).',
    [],
    cause,
  );
}

/** A payload value for a message, cut short: a message must stay readable, and buildable. */
function clip(text: string): string {
  return text.length > MAX_ECHOED_LENGTH ? `${text.slice(0, MAX_ECHOED_LENGTH)}…` : text;
}

function checkApiVersion(
  record: Record<string, unknown>,
  warn: (warning: PurchaselyParseWarning) => void,
): PurchaselyPayloadError | undefined {
  const version = record.api_version;
  const looksLikeV2 = 'name' in record && 'properties' in record && !('event_name' in record);
  if (version === 2 || (version === undefined && looksLikeV2)) {
    return new PurchaselyPayloadError(
      'legacy_api_version',
      'This is a legacy Purchasely webhook (api_version 2). This receiver handles api_version 3: in the ' +
        'Purchasely console, open Settings > Webhooks and switch the webhook version to 3.',
    );
  }
  if (version === undefined) {
    return new PurchaselyPayloadError('invalid_payload', 'The body has no api_version.', {
      issues: [{ path: 'api_version', message: 'expected a number' }],
    });
  }
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < SUPPORTED_API_VERSION
  ) {
    return new PurchaselyPayloadError(
      'unsupported_api_version',
      `Unsupported Purchasely api_version ${typeof version === 'number' ? version : `(${describe(version)})`}; ` +
        'this receiver handles api_version 3.',
    );
  }
  if (version > SUPPORTED_API_VERSION) {
    warn({
      code: 'unknown_api_version',
      apiVersion: version,
      message: `Purchasely api_version ${version} is newer than this SDK (3); parsed as api_version 3.`,
    });
  }
  return undefined;
}

function warnUnknownEnumValues(
  record: Record<string, unknown>,
  warn: (warning: PurchaselyParseWarning) => void,
): void {
  for (const [field, known] of Object.entries(ENUM_FIELDS)) {
    const value = record[field];
    if (typeof value === 'string' && !(known as readonly string[]).includes(value)) {
      warn({
        code: 'unknown_enum_value',
        field,
        value,
        message: `Unknown ${field} "${clip(value)}": kept as is.`,
      });
    }
  }
}

function toIssue(issue: z.core.$ZodIssue, record: Record<string, unknown>): PurchaselyPayloadIssue {
  const path = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'invalid_type') {
    // The payload is flat, so the first path segment is the field; its value decides "missing" vs "wrong".
    const missing = record[String(issue.path[0])] === undefined;
    return { path, message: missing ? 'is required' : `expected ${issue.expected}` };
  }
  if (issue.code === 'custom') return { path, message: issue.message };
  return { path, message: issue.code.replaceAll('_', ' ') };
}

function failure(
  code: PurchaselyPayloadError['code'],
  message: string,
  issues: readonly PurchaselyPayloadIssue[] = [],
  cause?: unknown,
): { ok: false; error: PurchaselyPayloadError } {
  return { ok: false, error: new PurchaselyPayloadError(code, message, { issues, cause }) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

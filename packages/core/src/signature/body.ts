import { PurchaselyRawBodyError } from './errors.js';
import { utf8 } from './hmac.js';

/** The raw request body, exactly as received on the wire. */
export type RawBody = string | Uint8Array | ArrayBuffer;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array (a parsed JSON body?)';
  if (typeof value === 'object') return 'a parsed object (a JSON body parser ran first?)';
  return `a value of type ${typeof value}`;
}

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  // `instanceof` misses buffers from another realm (vm contexts, some test environments).
  return (
    value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]'
  );
}

/**
 * Turns a raw body into bytes; strings are encoded as UTF-8, which is how they travelled. Any other
 * `ArrayBufferView` (Node's `Buffer` included) is accepted too, since it is still the raw bytes.
 *
 * @throws {PurchaselyRawBodyError} when handed anything else.
 */
export function toBodyBytes(body: unknown, caller: string): Uint8Array {
  if (typeof body === 'string') return utf8(body);
  if (body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body))
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (isArrayBuffer(body)) return new Uint8Array(body);
  throw new PurchaselyRawBodyError(
    `${caller} needs the raw request body (a string, Uint8Array or ArrayBuffer) but received ` +
      `${describe(body)}. Pass the bytes exactly as received: Express, ` +
      `express.raw({ type: 'application/json' }) on the webhook route (instead of express.json()); ` +
      'Hono, await c.req.arrayBuffer(); fetch, await request.arrayBuffer(). Never re-serialize ' +
      'parsed JSON with JSON.stringify: the signature covers the original bytes, and spacing, key ' +
      'order or escaping will differ.',
  );
}

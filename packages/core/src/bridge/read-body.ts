import { utf8ByteLength } from '../customerio/limits.js';
import { concatBytes } from '../signature/hmac.js';

/** The body as bytes, or `'too_large'` as soon as it passes `maxBytes` (the rest is never read). */
export async function readBodyWithLimit(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array | 'too_large'> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return 'too_large';
    }
    chunks.push(value);
  }
  return concatBytes(...chunks);
}

/** The size of a raw body in bytes, which is what the limit is about (measured without encoding it). */
export function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? utf8ByteLength(body) : body.byteLength;
}

import { utf8ByteLength } from '../customerio/limits.js';
import { concatBytes } from '../signature/hmac.js';

/**
 * A body the adapter could not hand over as bytes, and why. Every one of them is answered from the answer
 * table, like any other outcome:
 * - `too_large`: over `maxBodyBytes` (declared or counted); never read further;
 * - `timed_out`: not fully received within `bodyReadTimeoutMs` (a sender trickling bytes);
 * - `unreadable`: the stream failed (the sender went away mid-upload);
 * - `already_parsed`: a body parser consumed the bytes the signature covers; `help` says how to mount the
 *   route for the framework at hand.
 */
export type BodyProblem =
  | { problem: 'too_large' | 'timed_out' | 'unreadable' }
  | { problem: 'already_parsed'; help: string };

/**
 * Reads a body as bytes. Stops at `maxBytes` (the rest is never read) and at `timeoutMs` for the whole
 * body, so a sender trickling a byte a second cannot hold the connection for minutes.
 */
export async function readBodyWithLimit(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  timeoutMs: number,
): Promise<Uint8Array | BodyProblem> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timed_out'>((resolve) => {
    timer = setTimeout(() => resolve('timed_out'), timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), timedOut]);
      if (next === 'timed_out') {
        reader.cancel().catch(() => undefined);
        return { problem: 'timed_out' };
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) {
        reader.cancel().catch(() => undefined);
        return { problem: 'too_large' };
      }
      chunks.push(next.value);
    }
  } catch {
    // The stream failed: the sender went away mid-upload.
    return { problem: 'unreadable' };
  } finally {
    clearTimeout(timer);
  }
  return concatBytes(...chunks);
}

/** The size of a raw body in bytes, which is what the limit is about (measured without encoding it). */
export function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? utf8ByteLength(body) : body.byteLength;
}

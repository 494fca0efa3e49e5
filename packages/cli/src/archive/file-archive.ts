import { type FileHandle, mkdir, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WebhookArchive } from '@purchasely-customerio/core';

/**
 * Options of {@link createFileArchive}.
 *
 * @example
 * ```ts
 * const options: FileArchiveOptions = { directory: '/var/lib/purchasely/archive', prefix: `webhooks-${hostname()}` };
 * ```
 */
export interface FileArchiveOptions {
  /** The folder the files go in; created when missing. */
  directory: string;
  /**
   * A file is closed and the next one started once it reaches this size. Default 100 MiB (about 70,000
   * webhooks of about 1.5 KB each; see the package README).
   */
  maxFileBytes?: number;
  /**
   * The start of every file name. Default `purchasely-webhooks`. Give each process that archives into the
   * same folder its own prefix (its hostname, say): two processes must never append to one file.
   */
  prefix?: string;
  /**
   * Flush each write to the disk (`fsync`) before it resolves, so an acknowledged webhook survives a power
   * cut, not only a crash of the process. Writes waiting together share one flush. Default `true`.
   */
  fsync?: boolean;
}

/**
 * The NDJSON file archive: a {@link WebhookArchive} with `close()`.
 *
 * @example
 * ```ts
 * const archive: FileArchive = createFileArchive({ directory: './archive' });
 * process.on('SIGTERM', () => void archive.close());
 * ```
 */
export interface FileArchive extends WebhookArchive {
  /** Waits for the pending writes and closes the current file. Writes after it reject. */
  close(): Promise<void>;
}

const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

interface Pending {
  line: string;
  day: string;
  resolve(): void;
  reject(error: unknown): void;
}

interface OpenFile {
  handle: FileHandle;
  day: string;
  sequence: number;
  bytes: number;
}

/**
 * The bridge's `archive` on Node: every webhook as one JSON line (`{"receivedAt","eventId","eventName",
 * "body"}`), in files named by the record's UTC day, `<prefix>-2024-05-01.ndjson`, then
 * `<prefix>-2024-05-01.1.ndjson`, `.2`, … once a file reaches `maxFileBytes`. A new day starts a new file.
 * Lines are written by one writer in arrival order, so they never interleave; writes that arrive together
 * go out as one append (and one `fsync`). Restarting appends to the newest file of the day.
 *
 * One process per prefix: appends from several processes to one file are not coordinated (rotation
 * would race), so give each instance its own `prefix` or `directory`. `purchasely-customerio backfill`
 * reads any number of these files.
 *
 * @example
 * ```ts
 * import { createFileArchive } from '@purchasely-customerio/cli';
 *
 * const archive = createFileArchive({ directory: '/var/lib/purchasely/archive', prefix: os.hostname() });
 * const bridge = createPurchaselyBridge({ ...config, archive });
 * process.on('SIGTERM', () => void archive.close());
 * ```
 */
export function createFileArchive(options: FileArchiveOptions): FileArchive {
  const { directory } = options;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!(maxFileBytes > 0)) throw new TypeError('createFileArchive: maxFileBytes must be positive');
  const prefix = options.prefix ?? 'purchasely-webhooks';
  if (!/^[\w.-]+$/.test(prefix)) {
    throw new TypeError(
      'createFileArchive: prefix may hold letters, digits, ".", "_" and "-" only',
    );
  }
  const fsync = options.fsync ?? true;
  let queue: Pending[] = [];
  let current: OpenFile | undefined;
  let draining: Promise<void> | undefined;
  let closed = false;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = takeOneDay();
      try {
        const text = batch.map((item) => item.line).join('');
        const file = await fileFor(batch[0]?.day as string, Buffer.byteLength(text));
        await file.handle.appendFile(text);
        if (fsync) await file.handle.datasync();
        file.bytes += Buffer.byteLength(text);
        for (const item of batch) item.resolve();
      } catch (error) {
        // Start from a fresh handle next time: this one may be in any state.
        await current?.handle.close().catch(() => undefined);
        current = undefined;
        for (const item of batch) item.reject(error);
      }
    }
  }

  /** The next lines to append together: in order, of one day (a new day is a new file), fitting one file. */
  function takeOneDay(): Pending[] {
    const day = queue[0]?.day;
    let bytes = 0;
    let count = 0;
    for (const item of queue) {
      bytes += Buffer.byteLength(item.line);
      if (item.day !== day || (count > 0 && bytes > maxFileBytes)) break;
      count++;
    }
    const batch = queue.slice(0, count);
    queue = queue.slice(count);
    return batch;
  }

  async function fileFor(day: string, incoming: number): Promise<OpenFile> {
    if (current && current.day === day) {
      if (current.bytes === 0 || current.bytes + incoming <= maxFileBytes) return current;
      await current.handle.close();
      current = await openFile(day, current.sequence + 1);
      return current;
    }
    await current?.handle.close();
    current = undefined;
    await mkdir(directory, { recursive: true });
    const sequence = await newestSequence(day);
    current = await openFile(day, sequence);
    if (current.bytes > 0 && current.bytes + incoming > maxFileBytes) {
      await current.handle.close();
      current = await openFile(day, sequence + 1);
    }
    return current;
  }

  async function openFile(day: string, sequence: number): Promise<OpenFile> {
    const path = join(directory, fileName(prefix, day, sequence));
    const handle = await open(path, 'a');
    const { size } = await stat(path);
    return { handle, day, sequence, bytes: size };
  }

  async function newestSequence(day: string): Promise<number> {
    const pattern = new RegExp(`^${escapeRegExp(prefix)}-${day}(?:\\.(\\d+))?\\.ndjson$`);
    let newest = 0;
    for (const name of await readdir(directory)) {
      const match = pattern.exec(name);
      if (match) newest = Math.max(newest, Number(match[1] ?? 0));
    }
    return newest;
  }

  function kick(): void {
    if (draining) return;
    draining = drain().finally(() => {
      draining = undefined;
      // A write queued after the loop's last check and before this callback.
      if (queue.length > 0) kick();
    });
  }

  return {
    write(record) {
      if (closed) return Promise.reject(new Error('the file archive is closed'));
      const line = `${JSON.stringify({
        receivedAt: record.receivedAt,
        eventId: record.eventId,
        eventName: record.eventName,
        body: record.body,
      })}\n`;
      const day = dayOf(record.receivedAt);
      return new Promise<void>((resolve, reject) => {
        queue.push({ line, day, resolve, reject });
        kick();
      });
    },
    async close() {
      closed = true;
      while (draining) await draining;
      await current?.handle.close();
      current = undefined;
    },
  };
}

/** `<prefix>-<day>.ndjson`, then `<prefix>-<day>.<n>.ndjson`. */
export function fileName(prefix: string, day: string, sequence: number): string {
  return sequence === 0 ? `${prefix}-${day}.ndjson` : `${prefix}-${day}.${sequence}.ndjson`;
}

function dayOf(receivedAt: string): string {
  const date = new Date(receivedAt);
  return Number.isNaN(date.getTime())
    ? new Date().toISOString().slice(0, 10)
    : date.toISOString().slice(0, 10);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { readFile, rename, writeFile } from 'node:fs/promises';

/** What a run has done, written after each acknowledged chunk of people. */
export interface Checkpoint {
  version: 1;
  /** The source it belongs to: a changed file gives another person order, so it must not be reused. */
  source: { path: string; sha256: string; bytes: number };
  /** Whether Customer.io events were sent too (`--events`); a resume must not change it. */
  events: boolean;
  /** People done, in the order of their first row in the file. */
  peopleDone: number;
  /**
   * The people `peopleDone` counts along: how many the file gave and a SHA-256 of their keys in order. They
   * depend on the mapping too (`--config`: identify, events, sandbox), so a resume that finds others is
   * refused. Absent from checkpoints written before they were recorded.
   */
  people?: { count: number; orderSha256: string };
  /** Running totals over every run of this checkpoint. */
  totals: { peopleUpdated: number; eventsSent: number; failedRows: number; nothingToSend: number };
  finished: boolean;
  updatedAt: string;
}

export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = JSON.parse(text) as Partial<Checkpoint>;
  if (
    value.version !== 1 ||
    typeof value.peopleDone !== 'number' ||
    !value.source ||
    !value.totals
  ) {
    throw new Error(`${path} is not a backfill checkpoint; delete it or pass another --checkpoint`);
  }
  return value as Checkpoint;
}

/** Written to a temporary file, then renamed over the old one: a crash leaves one or the other, whole. */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(temporary, path);
}

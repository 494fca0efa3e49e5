import { createHash, type Hash } from 'node:crypto';

/**
 * What the backfill holds per row between reading the file and delivering it: where the row is in the file
 * and whose it is, as numbers in typed arrays (about 50 bytes a row), never its body nor the parsed event.
 * A chunk's rows are read again and re-accepted just before it is delivered (`RowReader.bodyAt`), so the
 * memory of a run grows with its rows by a few dozen bytes each instead of several kilobytes.
 */

/** A row's place in the source: its 1-based line (what `--failed` and the summary show) and its bytes. */
export interface RowSpan {
  row: number;
  start: number;
  end: number;
}

/** Records of `width` numbers appended into one Float64Array that doubles when full. */
class NumberRecords {
  private data: Float64Array;
  length = 0;

  constructor(private readonly width: number) {
    this.data = new Float64Array(width * 1024);
  }

  push(values: readonly number[]): number {
    if ((this.length + 1) * this.width > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(values, this.length * this.width);
    return this.length++;
  }

  get(index: number, field: number): number {
    return this.data[index * this.width + field] as number;
  }

  set(index: number, field: number, value: number): void {
    this.data[index * this.width + field] = value;
  }
}

const NONE = -1;
// Row fields.
const ROW = 0;
const START = 1;
const END = 2;
const NEXT = 3;
// Person fields.
const FIRST = 0;
const LAST = 1;
const COUNT = 2;
const ANONYMOUS = 3;

/** The accepted rows grouped by person, people numbered in the order of their first row. */
export class HeldRows {
  /** Person key → number: needed only while reading, to find a row's person (see {@link doneReading}). */
  private numbers = new Map<string, number>();
  private readonly rows = new NumberRecords(4);
  private readonly people = new NumberRecords(4);
  /** The person keys in person order, hashed as they come: what a checkpoint's `peopleDone` counts along. */
  private readonly order: Hash = createHash('sha256');
  private orderDigest: string | undefined;

  add(personKey: string, anonymous: boolean, span: RowSpan): void {
    const row = this.rows.push([span.row, span.start, span.end, NONE]);
    const known = this.numbers.get(personKey);
    if (known === undefined) {
      this.order.update(`${JSON.stringify(personKey)}\n`);
      this.numbers.set(personKey, this.people.push([row, row, 1, anonymous ? 1 : 0]));
      return;
    }
    this.rows.set(this.people.get(known, LAST), NEXT, row);
    this.people.set(known, LAST, row);
    this.people.set(known, COUNT, this.people.get(known, COUNT) + 1);
  }

  /** Frees the person keys: once the file is read, people are known by their number alone. */
  doneReading(): void {
    this.numbers = new Map();
    this.orderDigest = this.order.digest('hex');
  }

  /**
   * A SHA-256 of the person keys in person order (after {@link doneReading}): the same file read through
   * another mapping (`identify`, `events`, `sandbox`) gives other people, or the same in another order.
   */
  get peopleOrderSha256(): string {
    if (this.orderDigest === undefined) throw new Error('HeldRows: the file is still being read');
    return this.orderDigest;
  }

  get peopleCount(): number {
    return this.people.length;
  }

  isAnonymous(person: number): boolean {
    return this.people.get(person, ANONYMOUS) === 1;
  }

  /** Accepted rows of a person. */
  rowCount(person: number): number {
    return this.people.get(person, COUNT);
  }

  /** People `from` (included) to `to` (excluded) who are not anonymous: those who get an attribute update. */
  namedPeopleOf(from: number, to: number): number {
    let count = 0;
    for (let person = from; person < to; person++) if (!this.isAnonymous(person)) count++;
    return count;
  }

  /** Accepted rows of people `from` (included) to `to` (excluded). */
  rowCountOf(from: number, to: number): number {
    let sum = 0;
    for (let person = from; person < to; person++) sum += this.rowCount(person);
    return sum;
  }

  /** A person's rows, in file order. */
  spansOf(person: number): RowSpan[] {
    const spans: RowSpan[] = [];
    for (let row = this.people.get(person, FIRST); row !== NONE; row = this.rows.get(row, NEXT)) {
      spans.push({
        row: this.rows.get(row, ROW),
        start: this.rows.get(row, START),
        end: this.rows.get(row, END),
      });
    }
    return spans;
  }
}

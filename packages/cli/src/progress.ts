import cliProgress from 'cli-progress';

/** Progress of a long command (a replay, a backfill): a bar on a terminal, plain lines otherwise. */
export interface Progress {
  /** Moves the count to `done` (absolute), with optional named values shown on the line. */
  update(done: number, values?: Record<string, string | number>): void;
  /** Draws the final state and releases the terminal. */
  stop(): void;
}

export interface ProgressOptions {
  /** What is counted (`rows`, `dead letters`…). */
  unit: string;
  total: number;
  /** Where progress goes; default stderr, so stdout stays for results. */
  stream?: NodeJS.WriteStream;
  /** Plain mode: ms between lines. Default 2,000. */
  intervalMs?: number;
}

/**
 * Whether progress is drawn as a bar: the stream is a terminal, or `FORCE_TTY=1` asks for one (tests on a
 * pipe, CI logs that render carriage returns). `FORCE_TTY=0` forces plain lines on a terminal.
 */
export function drawsBar(stream: NodeJS.WriteStream): boolean {
  const forced = process.env.FORCE_TTY;
  if (forced === '1' || forced === 'true') return true;
  if (forced === '0' || forced === 'false') return false;
  return stream.isTTY === true;
}

/**
 * A progress display: cli-progress's bar with rate and ETA on a terminal; on a pipe or a log, one plain line
 * every `intervalMs` (and a last one), since a bar's carriage returns would fill a log file.
 */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const { unit, total } = options;
  const started = Date.now();
  if (drawsBar(stream)) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `{bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}{extra}`,
        barsize: 30,
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 500,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: '0', extra: '' });
    return {
      update(done, values) {
        bar.update(done, { rate: rateOf(done, started), extra: describe(values) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const intervalMs = options.intervalMs ?? 2_000;
  let last = 0;
  let done = 0;
  let extra = '';
  let printed = '';
  const line = () => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    const text = `progress: ${done}/${total} ${unit} (${percent}%)`;
    // The last line repeats nothing already said (a short run prints its first and last update once).
    if (text + extra === printed) return;
    printed = text + extra;
    stream.write(`${text}, ${rateOf(done, started)}/s${extra}\n`);
  };
  return {
    update(value, values) {
      done = value;
      extra = describe(values);
      const now = Date.now();
      if (now - last >= intervalMs) {
        last = now;
        line();
      }
    },
    stop() {
      line();
    },
  };
}

function rateOf(done: number, started: number): string {
  const seconds = (Date.now() - started) / 1000;
  return seconds > 0 ? (done / seconds).toFixed(0) : '0';
}

function describe(values: Record<string, string | number> | undefined): string {
  if (!values) return '';
  const parts = Object.entries(values).map(([name, value]) => `${name} ${value}`);
  return parts.length > 0 ? ` | ${parts.join(', ')}` : '';
}

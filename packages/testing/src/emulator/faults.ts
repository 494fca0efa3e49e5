import type { EmulatorFaults, FaultMatcher, FaultStep } from './types.js';

interface QueuedFault {
  match?: FaultMatcher;
  step: FaultStep;
}

interface RandomFaults {
  rate: number;
  steps: FaultStep[];
  nextRandom: () => number;
}

/** The requests faults are matched against: method and path only, so matching never reads a body. */
export interface FaultTarget {
  method: string;
  path: string;
}

/** Scripted steps first, in order; random failures only for requests no queued step claimed. */
export class FaultPlan implements EmulatorFaults {
  private queue: QueuedFault[] = [];
  private randomFaults: RandomFaults | undefined;

  next(...steps: Array<FaultStep | { match: FaultMatcher }>): void {
    const [first, ...rest] = steps;
    const match = isMatcher(first) ? first.match : undefined;
    for (const step of isMatcher(first) ? rest : steps) {
      if (isMatcher(step)) {
        throw new TypeError('faults.next: only the first argument may be { match }');
      }
      this.queue.push(match === undefined ? { step } : { match, step });
    }
  }

  random(options: { rate: number; steps: FaultStep[]; seed?: number }): void {
    if (!(options.rate >= 0 && options.rate <= 1)) {
      throw new RangeError(`faults.random: rate must be between 0 and 1, got ${options.rate}`);
    }
    if (options.steps.length === 0) throw new RangeError('faults.random: steps must not be empty');
    this.randomFaults = {
      rate: options.rate,
      steps: [...options.steps],
      nextRandom: mulberry32(options.seed ?? Math.floor(Math.random() * 2 ** 32)),
    };
  }

  clear(): void {
    this.queue = [];
    this.randomFaults = undefined;
  }

  /** The step this request gets, consuming it, or `undefined` to handle it normally. */
  take(target: FaultTarget): FaultStep | undefined {
    const index = this.queue.findIndex(({ match }) => matches(match, target));
    if (index >= 0) return this.queue.splice(index, 1)[0]?.step;
    const random = this.randomFaults;
    if (random === undefined || random.nextRandom() >= random.rate) return undefined;
    return random.steps[Math.floor(random.nextRandom() * random.steps.length)];
  }
}

function isMatcher(value: unknown): value is { match: FaultMatcher } {
  return typeof value === 'object' && value !== null && 'match' in value;
}

function matches(matcher: FaultMatcher | undefined, target: FaultTarget): boolean {
  if (matcher === undefined) return true;
  if (
    matcher.method !== undefined &&
    matcher.method.toUpperCase() !== target.method.toUpperCase()
  ) {
    return false;
  }
  if (matcher.path === undefined) return true;
  return typeof matcher.path === 'string'
    ? matcher.path === target.path
    : matcher.path.test(target.path);
}

/** A small, well-known 32-bit PRNG: the same seed gives the same failures on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

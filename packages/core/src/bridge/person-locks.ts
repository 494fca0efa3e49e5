/**
 * Serialises work per person within this process: a delivery holds its people's locks from the state merge
 * to the last request, so two deliveries for one person reach Customer.io in the order their states were
 * computed, and the last attributes sent are those of the fullest state. Across processes the store's
 * atomic merge and the attribute timestamp (the state's newest event) keep the order.
 */
export interface PersonLocks {
  /** Runs `work` once every key is free, holding all of them; keys are taken in sorted order (no deadlock). */
  withLocks<T>(keys: readonly string[], work: () => Promise<T>): Promise<T>;
}

export function createPersonLocks(): PersonLocks {
  const tails = new Map<string, Promise<void>>();

  async function acquire(key: string): Promise<() => void> {
    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    tails.set(key, tail);
    await previous;
    return () => {
      release();
      // The last holder cleans up, so the map only holds people with work in progress.
      if (tails.get(key) === tail) tails.delete(key);
    };
  }

  return {
    async withLocks(keys, work) {
      const releases: Array<() => void> = [];
      try {
        for (const key of [...new Set(keys)].sort()) releases.push(await acquire(key));
        return await work();
      } finally {
        for (const release of releases.reverse()) release();
      }
    },
  };
}

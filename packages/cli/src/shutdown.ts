/**
 * Resolves with the first SIGINT or SIGTERM, so a long-running command can stop cleanly and exit 0. A second
 * signal while stopping exits at once with 1: the user asked twice.
 */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (received) process.exit(1);
        received = true;
        resolve(signal);
      });
    }
  });
}

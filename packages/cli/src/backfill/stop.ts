/**
 * How a backfill is asked to stop, and what the run tells back while it stops. The command wires it to
 * SIGINT and SIGTERM ({@link stopOnSignals}); the run reads `requested` before each chunk and keeps
 * `inFlight` and `saveAcknowledged` current.
 */
export class BackfillStop {
  /** Set the moment a stop is asked for: no chunk starts after it, even one about to. */
  requested = false;
  /** Chunks being delivered now. */
  inFlight = 0;
  /** Resolves once every acknowledged chunk is in the checkpoint (whether the write worked or not). */
  saveAcknowledged: () => Promise<void> = () => Promise.resolve();

  request(): void {
    this.requested = true;
  }
}

/**
 * SIGINT and SIGTERM during a backfill. The first stops after the deliveries in flight (the checkpoint is
 * saved as they are acknowledged); the second only says what is left, so an impatient second Ctrl-C loses
 * nothing; the third saves the checkpoint of what was acknowledged and exits at once with 1 (the chunks
 * that were in flight are sent again on resume, as after a crash). Returns the function that removes the
 * handlers.
 */
export function stopOnSignals(stop: BackfillStop, stderr: NodeJS.WritableStream): () => void {
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      stderr.write('Stopping after the deliveries in flight; rerun the same command to resume.\n');
      stop.request();
    } else if (signals === 2) {
      const waiting =
        stop.inFlight > 0
          ? `waiting for ${stop.inFlight} deliveries in flight`
          : 'nothing is in flight (the file is read to its end)';
      stderr.write(
        `Still stopping: ${waiting}, then the checkpoint is saved. A third signal exits at once (what was acknowledged is kept; the deliveries in flight are sent again on resume).\n`,
      );
    } else if (signals === 3) {
      stderr.write('Exiting now: saving the checkpoint of what was acknowledged.\n');
      void stop.saveAcknowledged().finally(() => process.exit(1));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

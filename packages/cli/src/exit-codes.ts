/** The command's exit codes, documented in the README's Operations section. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A mistake in how the command was called (a missing argument, a bad flag value): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

import type { RedisCommands } from './commands.js';
import type { RedisScript } from './scripts.js';

/** Runs a script on one key: EVALSHA, and EVAL once when the server does not have it cached yet. */
export async function runScript(
  redis: RedisCommands,
  script: RedisScript,
  key: string,
  args: string[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha1, [key], args);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    return redis.eval(script.source, [key], args);
  }
}

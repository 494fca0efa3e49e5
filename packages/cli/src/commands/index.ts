import type { CAC } from 'cac';
import { registerBackfill } from './backfill.js';
import { registerDeadLetters } from './dead-letters.js';
import { registerEmulator } from './emulator.js';
import { registerSend } from './send.js';
import { registerVerify } from './verify.js';
import { registerWorker } from './worker.js';

/**
 * Every command, registered on the cac instance. A command's action resolves with its exit code (see
 * `exit-codes.ts`) and throws `UsageError` for a usage mistake.
 */
export function registerCommands(cli: CAC): void {
  registerEmulator(cli);
  registerSend(cli);
  registerVerify(cli);
  registerWorker(cli);
  registerDeadLetters(cli);
  registerBackfill(cli);
}

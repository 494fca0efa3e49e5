import type { CAC } from 'cac';
import { registerBackfill } from './backfill.js';

/**
 * Every command, registered on the cac instance. A command's action resolves with its exit code (see
 * `exit-codes.ts`) and throws `UsageError` for a usage mistake.
 */
export function registerCommands(cli: CAC): void {
  registerBackfill(cli);
}

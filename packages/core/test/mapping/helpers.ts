import { type PurchaselyEvent, parsePurchaselyEvent } from '../../src/index.js';
import { fixture } from '../fixtures.js';

/** A published fixture, parsed, with optional field overrides. */
export function event(file: string, overrides: Record<string, unknown> = {}): PurchaselyEvent {
  const result = parsePurchaselyEvent({ ...fixture(file), ...overrides });
  if (!result.ok || !result.known) throw new Error(`fixture ${file} did not parse`);
  return result.event;
}

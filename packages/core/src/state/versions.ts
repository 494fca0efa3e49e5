/**
 * Which event a piece of subscription state comes from, so that merges can keep the newest one whatever
 * order deliveries happen in.
 */
export interface EventVersion {
  /** The event's `event_created_at_ms`: Purchasely's millisecond clock, not the time we received it. */
  at: number;
  /** The event's id (or idempotency key); orders two events of the same millisecond. */
  id: string;
}

/**
 * Orders two versions: negative when `a` is older, positive when newer, 0 for the same event. Ties on `at`
 * are broken by `id` with plain code-unit comparison rather than `localeCompare`, whose result depends on
 * the runtime's ICU data: every instance, on every runtime, must agree on which event is newer.
 */
export function compareVersions(a: EventVersion, b: EventVersion): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

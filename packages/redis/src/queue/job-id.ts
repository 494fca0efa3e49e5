/**
 * BullMQ refuses custom job ids that are integers or contain `:`. Event ids are UUIDs and pass as they
 * are; any other key (the fallback key of old payloads, say) is encoded, injectively: an encoded id starts
 * with `k%`, and a key containing `%` is always encoded.
 */
export function jobIdOf(key: string): string {
  return /^\d+$/.test(key) || key.includes(':') || key.includes('%')
    ? `k%${encodeURIComponent(key)}`
    : key;
}

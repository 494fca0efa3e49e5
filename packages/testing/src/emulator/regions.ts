import type { EmulatorRegion } from './types.js';

export const trackHostByRegion: Record<EmulatorRegion, string> = {
  us: 'track.customer.io',
  eu: 'track-eu.customer.io',
};

export const trackUrlByRegion: Record<EmulatorRegion, string> = {
  us: `https://${trackHostByRegion.us}`,
  eu: `https://${trackHostByRegion.eu}`,
};

/** The region a Track host belongs to, or `undefined` for any other host. */
export function regionOfHost(host: string): EmulatorRegion | undefined {
  const bare = host.toLowerCase().replace(/:\d+$/, '');
  if (bare === trackHostByRegion.us) return 'us';
  if (bare === trackHostByRegion.eu) return 'eu';
  return undefined;
}

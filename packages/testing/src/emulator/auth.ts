import type { EmulatorWorkspace } from './types.js';

const basicPrefix = /^basic\s+/i;

/**
 * The workspace (state) whose `site_id:api_key` pair the `Authorization` header carries, looked up
 * by site id, or `undefined` for anything missing, malformed or unknown; Customer.io answers all
 * of those alike with 401.
 */
export function authenticate<T extends { readonly workspace: EmulatorWorkspace }>(
  authorization: string | null,
  bySiteId: ReadonlyMap<string, T>,
): T | undefined {
  if (!authorization || !basicPrefix.test(authorization)) return undefined;
  const credentials = decodeBase64Utf8(authorization.replace(basicPrefix, '').trim());
  if (credentials === undefined) return undefined;
  // The site id never contains a colon, while a key might: split on the first one only.
  const separator = credentials.indexOf(':');
  if (separator < 0) return undefined;
  const siteId = credentials.slice(0, separator);
  const apiKey = credentials.slice(separator + 1);
  const found = bySiteId.get(siteId);
  return found?.workspace.apiKey === apiKey ? found : undefined;
}

function decodeBase64Utf8(encoded: string): string | undefined {
  try {
    // Go's client uses URL-safe base64 (go-customerio CHANGELOG), so accept both alphabets.
    const standard = encoded.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(standard);
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

import { readdirSync, readFileSync } from 'node:fs';

const directory = new URL('./fixtures/purchasely/', import.meta.url);

/** The published api_version 3 example payloads, by file name, as raw text (exactly as published). */
export const eventFixtures: ReadonlyMap<string, string> = new Map(
  readdirSync(directory)
    .filter((file) => file.endsWith('.json') && file !== 'signature-vectors.json')
    .map((file) => [file, readFileSync(new URL(file, directory), 'utf8')]),
);

/** The truncated legacy api_version 2 body from Purchasely's migration guide. */
export const legacyV2Body = readFileSync(
  new URL('legacy-v2-purchase-validated.txt', directory),
  'utf8',
);

export function fixture(file: string): Record<string, unknown> {
  const text = eventFixtures.get(file);
  if (text === undefined) throw new Error(`no fixture ${file}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * cac's parser (mri) turns every option value that looks like a number into a number: `--secret 007` would
 * sign with "7", `--site-id 00123` would become 123, and a long numeric id would lose digits. This puts back
 * the text as typed for every option mri converted; the commands convert the values that are numbers
 * themselves (and say which flag is wrong when one is not).
 */
export function restoreOptionStrings(
  argv: readonly string[],
  options: Record<string, unknown>,
): void {
  const typed = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] as string;
    if (token === '--') break;
    if (!token.startsWith('--')) continue;
    const equals = token.indexOf('=');
    const name = token.slice(2, equals === -1 ? undefined : equals);
    const next = argv[index + 1];
    const value =
      equals !== -1
        ? token.slice(equals + 1)
        : next !== undefined && !next.startsWith('-')
          ? next
          : undefined;
    if (value !== undefined) typed.set(camelCase(name), value);
  }
  for (const [name, value] of Object.entries(options)) {
    const text = typed.get(name);
    if (typeof value === 'number' && text !== undefined) options[name] = text;
  }
}

/** `--site-id` is `siteId` in cac's options. */
function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

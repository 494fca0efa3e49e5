/**
 * The public API of `@purchasely-customerio/core` is `src/index.ts`, and `api/exports.txt` is its committed
 * snapshot: one exported name per line, `type Name` for a type-only export, `Name` for a value (a class
 * counts as a value). Adding or removing an export fails here until the snapshot says so, so no helper
 * becomes a promise to users by accident.
 *
 * After an intended change: `pnpm api:update` (or `PUBLIC_API_UPDATE=1 npx vitest run --project core
 * public-api`), and review the diff of `packages/core/api/exports.txt`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const indexPath = fileURLToPath(new URL('src/index.ts', root));
const snapshotPath = fileURLToPath(new URL('api/exports.txt', root));
const snapshotName = 'packages/core/api/exports.txt';

interface ExportedName {
  readonly name: string;
  readonly typeOnly: boolean;
}

/** Every name `src/index.ts` exports, types included, read with the TypeScript compiler (no build needed). */
function exportedNames(): ExportedName[] {
  const configPath = fileURLToPath(new URL('tsconfig.build.json', root));
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${configPath}`);
  const program = ts.createProgram([indexPath], { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(indexPath);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot read the exports of ${indexPath}`);

  return checker.getExportsOfModule(moduleSymbol).map((symbol) => {
    // Follow the re-export chain (index → barrel → module): a `type` anywhere on it makes the name type-only.
    let typeOnly = false;
    let current: ts.Symbol | undefined = symbol;
    while (current && current.flags & ts.SymbolFlags.Alias) {
      if (current.declarations?.some(isTypeOnlyExport)) typeOnly = true;
      current = checker.getImmediateAliasedSymbol(current);
    }
    const isValue = (checker.getAliasedSymbol(symbol).flags & ts.SymbolFlags.Value) !== 0;
    return { name: symbol.name, typeOnly: typeOnly || !isValue };
  });
}

function isTypeOnlyExport(declaration: ts.Declaration): boolean {
  return (
    ts.isExportSpecifier(declaration) &&
    (declaration.isTypeOnly || declaration.parent.parent.isTypeOnly)
  );
}

const line = ({ name, typeOnly }: ExportedName) => (typeOnly ? `type ${name}` : name);
const byName = (a: ExportedName, b: ExportedName) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

const header = [
  '# The public API of @purchasely-customerio/core: every name packages/core/src/index.ts exports.',
  '# `type Name` is a type-only export. Checked by packages/core/test/public-api.test.ts; regenerate with',
  '# `pnpm api:update` after an intended change, and review the diff: it is a change to the public API.',
];

function readSnapshot(): string[] {
  try {
    return readFileSync(snapshotPath, 'utf8')
      .split('\n')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '' && !entry.startsWith('#'));
  } catch {
    return [];
  }
}

describe('the public API of @purchasely-customerio/core', () => {
  const actual = exportedNames().sort(byName);
  const actualLines = actual.map(line);

  it(`is exactly the list in ${snapshotName}`, () => {
    if (process.env.PUBLIC_API_UPDATE) {
      writeFileSync(snapshotPath, `${[...header, ...actualLines].join('\n')}\n`);
      return;
    }
    const expected = readSnapshot();
    const added = actualLines.filter((entry) => !expected.includes(entry));
    const removed = expected.filter((entry) => !actualLines.includes(entry));
    const message = [
      `The exports of packages/core/src/index.ts differ from ${snapshotName}.`,
      ...(added.length > 0 ? [`An export was added: ${added.join(', ')}`] : []),
      ...(removed.length > 0 ? [`An export was removed: ${removed.join(', ')}`] : []),
      `If that is intended, update ${snapshotName} (pnpm api:update) and say so in the change: it is a change to the public API.`,
      'If not, remove the name from packages/core/src/index.ts (a module may export a helper to its neighbours; only index.ts makes it public).',
    ].join('\n');
    expect(added.length + removed.length, message).toBe(0);
    expect(actualLines, message).toEqual(expected);
  });

  it('exports at run time exactly the values the compiler sees', async () => {
    const runtime = Object.keys(await import('../src/index.js')).sort();
    const values = actual.filter((entry) => !entry.typeOnly).map((entry) => entry.name);
    expect(
      runtime,
      'src/index.ts exports at run time a different set of values than its declarations say (a value exported with `type`, or a type exported as a value?)',
    ).toEqual(values.sort());
  });

  it('has no `export *` in src/index.ts: every public name is listed', () => {
    const text = readFileSync(indexPath, 'utf8');
    expect(text, 'src/index.ts must list its exports by name, not `export * from`').not.toMatch(
      /^\s*export\s+(type\s+)?\*/m,
    );
  });
});

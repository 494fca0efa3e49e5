/**
 * Dependencies only point down (`/work/shared/DESIGN.md`, "Layout" in the README). Every import and
 * re-export specifier of `packages/core/src` (type-only ones included: they are dependencies too) is checked
 * against the layers, bottom to top:
 *
 *   errors.ts → signature/, events/, customerio/ (each knows only itself and errors.ts)
 *             → state/ → mapping/ → bridge/ → index.ts
 *
 * plus: no `node:` import anywhere in core (it runs on any fetch runtime), bare imports only of core's
 * dependencies or of the packages its build bundles (`noExternal` in tsup.config.ts: zod, ky), and `packages/adapters/src` and `packages/testing/src` reach core only by its package name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const coreSrc = join(repo, 'packages/core/src');

type Layer =
  | 'errors'
  | 'signature'
  | 'events'
  | 'customerio'
  | 'state'
  | 'mapping'
  | 'bridge'
  | 'index';

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  errors: [],
  signature: ['errors'],
  events: ['errors'],
  customerio: ['errors'],
  state: ['errors', 'signature', 'events', 'customerio'],
  mapping: ['errors', 'signature', 'events', 'customerio', 'state'],
  bridge: ['errors', 'signature', 'events', 'customerio', 'state', 'mapping'],
  index: ['errors', 'signature', 'events', 'customerio', 'state', 'mapping', 'bridge'],
};

const RULE: Record<Layer, string> = {
  errors: 'errors.ts is the leaf: it imports nothing of core',
  signature:
    'signature/, events/ and customerio/ know nothing of each other: they import only ../errors.js',
  events:
    'signature/, events/ and customerio/ know nothing of each other: they import only ../errors.js',
  customerio:
    'signature/, events/ and customerio/ know nothing of each other: they import only ../errors.js',
  state: 'state/ imports nothing above it (only errors, signature, events, customerio)',
  mapping: 'mapping/ imports only state, customerio, events, signature and errors (never bridge)',
  bridge: 'bridge/ may import any layer below it, never index.ts',
  index: 'index.ts re-exports the layers',
};

interface Import {
  readonly file: string; // relative to the repository
  readonly line: number;
  readonly specifier: string;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.isFile() && /\.(ts|mts|cts|tsx)$/.test(entry.name) ? [path] : [];
    })
    .sort();
}

/** Import, re-export and `import()` specifiers, comments and strings ignored (the compiler's own scanner). */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map((reference) => ({
    file: relative(repo, file).split(sep).join('/'),
    line: text.slice(0, reference.pos).split('\n').length,
    specifier: reference.fileName,
  }));
}

function layerOf(absolute: string): Layer | undefined {
  const path = relative(coreSrc, absolute).split(sep).join('/');
  if (path.startsWith('..')) return undefined;
  if (path === 'errors.ts' || path === 'errors.js') return 'errors';
  if (path === 'index.ts' || path === 'index.js') return 'index';
  const folder = path.split('/')[0] as Layer;
  return folder in ALLOWED && path.includes('/') ? folder : undefined;
}

const where = ({ file, line, specifier }: Import) => `${file}:${line} imports '${specifier}'`;

describe('layering of packages/core/src', () => {
  const files = sourceFiles(coreSrc);
  const imports = files.flatMap(importsOf);
  const manifest = JSON.parse(readFileSync(join(repo, 'packages/core/package.json'), 'utf8'));
  const tsupConfig = readFileSync(join(repo, 'packages/core/tsup.config.ts'), 'utf8');
  // The packages the build carries inside dist/ (their code ships in our files, not as an install).
  const bundled = [
    ...(/noExternal: \[([^\]]*)\]/.exec(tsupConfig)?.[1] ?? '').matchAll(/'([^']+)'/g),
  ].map((match) => match[1]!);
  const dependencies = [...Object.keys(manifest.dependencies ?? {}), ...bundled];

  it('reads the sources', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(imports.length).toBeGreaterThan(20);
  });

  it('every file belongs to a layer', () => {
    const strays = files.filter((file) => layerOf(file) === undefined);
    expect(
      strays.map(
        (file) =>
          `${relative(repo, file)}: not in a known layer (add it to ALLOWED in test/layering.test.ts)`,
      ),
    ).toEqual([]);
  });

  it('dependencies only point down', () => {
    const violations: string[] = [];
    for (const entry of imports) {
      if (!entry.specifier.startsWith('.')) continue;
      const from = layerOf(join(repo, entry.file));
      const target = resolve(dirname(join(repo, entry.file)), entry.specifier);
      const to = layerOf(target);
      if (from === undefined) continue;
      if (to === undefined) {
        violations.push(`${where(entry)}: a relative import must stay inside packages/core/src`);
      } else if (to !== from && !ALLOWED[from].includes(to)) {
        violations.push(`${where(entry)}: ${from} → ${to} breaks the rule "${RULE[from]}"`);
      }
    }
    expect(violations, violations.join('\n')).toEqual([]);
  });

  it('has no node: import (core runs on any fetch runtime)', () => {
    const violations = imports
      .filter(({ specifier }) => specifier.startsWith('node:'))
      .map((entry) => `${where(entry)}: core must not import Node built-ins (Web APIs only)`);
    expect(violations, violations.join('\n')).toEqual([]);
  });

  it('imports only its declared dependencies', () => {
    const violations = imports
      .filter(({ specifier }) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
      .filter(({ specifier }) => {
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0];
        return !dependencies.includes(name ?? specifier);
      })
      .map(
        (entry) =>
          `${where(entry)}: a bare import must be one of core's dependencies or bundled packages (${dependencies.join(', ')})`,
      );
    expect(violations, violations.join('\n')).toEqual([]);
  });

  it('declares every package its build bundles, so the build can find it', () => {
    expect(bundled.length).toBeGreaterThan(0);
    const declared = { ...manifest.dependencies, ...manifest.devDependencies };
    expect(bundled.filter((name) => !(name in declared))).toEqual([]);
  });
});

describe('packages that build on core', () => {
  const coreExports = Object.keys(
    JSON.parse(readFileSync(join(repo, 'packages/core/package.json'), 'utf8')).exports ?? {},
  )
    .filter((key) => key !== './package.json')
    .map((key) => `@purchasely-customerio/core${key.slice(1)}`);

  for (const pkg of ['adapters', 'testing']) {
    it(`packages/${pkg}/src reaches core only by its package name`, () => {
      const packageRoot = join(repo, 'packages', pkg);
      const violations: string[] = [];
      for (const entry of sourceFiles(join(packageRoot, 'src')).flatMap(importsOf)) {
        const { specifier } = entry;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(join(repo, entry.file)), specifier);
          if (relative(packageRoot, target).startsWith('..')) {
            violations.push(
              `${where(entry)}: import core as '@purchasely-customerio/core', never by a relative path out of packages/${pkg}`,
            );
          }
        } else if (
          specifier.startsWith('@purchasely-customerio/core') &&
          !coreExports.includes(specifier)
        ) {
          violations.push(
            `${where(entry)}: only core's published entry points (${coreExports.join(', ')}) may be imported, not its files`,
          );
        }
      }
      expect(violations, violations.join('\n')).toEqual([]);
    });
  }
});

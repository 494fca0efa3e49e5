import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const coreSrc = fileURLToPath(new URL('../../src/', import.meta.url));
const signatureSrc = join(coreSrc, 'signature');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.[cm]?[jt]sx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Drops comments so TSDoc examples (which show user code such as `process.env`) do not count.
 * Naive about `//` inside strings, which only makes the check stricter.
 */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** Module specifiers of static imports, re-exports, dynamic imports and require calls. */
function specifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"]+)\1/g;
  return [...source.matchAll(pattern)].map((match) => match[2] ?? '');
}

/** Bare built-in names (`crypto`, `buffer`) are as Node-only as their `node:` spellings. */
const nodeBuiltins = new Set(builtinModules.filter((name) => !name.startsWith('_')));

describe('core stays runtime-neutral', () => {
  it('finds the files it checks', () => {
    expect(sourceFiles(signatureSrc).length).toBeGreaterThan(3);
  });

  it("no file under packages/core/src imports from 'node:' or a bare Node built-in", () => {
    const offenders = sourceFiles(coreSrc).flatMap((file) =>
      specifiers(code(file))
        .filter((spec) => spec.startsWith('node:') || nodeBuiltins.has(spec.split('/')[0] ?? ''))
        .map((spec) => `${relative(coreSrc, file)}: ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the signature module does not use the Node Buffer or process globals', () => {
    const offenders = sourceFiles(signatureSrc).filter((file) =>
      /\b(?:Buffer|process)\s*[.(]/.test(code(file)),
    );
    expect(offenders).toEqual([]);
  });
});

/** Summarises a V8 .cpuprofile: self time by function and by file (top N). `node profile-summary.mjs file [N]` */
import { readFileSync } from 'node:fs';

export function summarise(path, top = 15) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const counts = new Map();
  for (const sample of profile.samples) counts.set(sample, (counts.get(sample) ?? 0) + 1);
  const total = profile.samples.length;
  const byFunction = new Map();
  const byFile = new Map();
  for (const [id, hits] of counts) {
    const { callFrame } = byId.get(id);
    const file =
      callFrame.url
        .replace(/^file:\/\/.*node_modules\/\.pnpm\/([^/]+)\/.*$/, '$1')
        .replace(/^file:\/\/\/work\/main\//, '') || '(native/vm)';
    const fn = `${callFrame.functionName || '(anonymous)'} ${file}:${callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
    self.set(id, hits);
  }
  const list = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({ name, pct: Number(((hits / total) * 100).toFixed(1)) }));
  return { samples: total, functions: list(byFunction), files: list(byFile) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = summarise(process.argv[2], Number(process.argv[3] ?? 15));
  console.log(`samples ${result.samples}`);
  console.log('-- files');
  for (const f of result.files) console.log(`${f.pct}%\t${f.name}`);
  console.log('-- functions');
  for (const f of result.functions) console.log(`${f.pct}%\t${f.name}`);
}

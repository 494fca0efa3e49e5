import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSandbox, writeNdjson } from './backfill-helpers.js';
import { runCli } from './run-cli.js';

const sandbox = useSandbox();

describe('backfill progress', () => {
  it('on a terminal (FORCE_TTY=1): a bar with rate and ETA on stderr; the summary alone on stdout', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 400, 100);
    const result = await runCli(['backfill', file, ...sandbox.cio.flags, '--rate-limit', '10000'], {
      env: { FORCE_TTY: '1' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/[█░]+ 100% \| 400\/400 rows \| \d+\/s \| ETA/);
    expect(result.stderr).not.toContain('progress:');
    expect(result.stdout).not.toMatch(/[█░]/);
  });

  it('on a pipe: plain progress lines, no carriage returns', async () => {
    const file = join(sandbox.dir, 'history.ndjson');
    await writeNdjson(file, 400, 100);
    const result = await runCli(['backfill', file, ...sandbox.cio.flags, '--rate-limit', '10000']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^progress: 400\/400 rows \(100%\), \d+\/s \| people 100\/100$/m);
    expect(result.stderr).not.toMatch(/[\r█░]/);
  });
});

import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('purchasely-customerio', () => {
  it('prints its help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage:');
  });

  it('exits 2 on an unknown command, saying which', async () => {
    const result = await runCli(['no-such-command']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command: no-such-command');
  });

  it('exits 2 without a command', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
  });
});

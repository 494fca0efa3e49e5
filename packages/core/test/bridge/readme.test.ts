import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATUS_BY_OUTCOME, USER_PROPERTY_NAMES } from '../../src/index.js';

const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');

/** The rows of the Markdown table under a heading, as cells. */
function tableUnder(heading: string): string[][] {
  const section = readme.slice(readme.indexOf(heading));
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe('the README says what the code does', () => {
  it('the attribute table has one row per user property, in order', () => {
    const attributes = tableUnder('### Person attributes').map(([name]) => name?.replace(/`/g, ''));
    expect(attributes).toEqual(USER_PROPERTY_NAMES);
  });

  it('the answer table gives each status the code answers', () => {
    const statuses = tableUnder('### Answers').map(([, status]) =>
      Number.parseInt(status ?? '', 10),
    );
    expect(new Set(statuses)).toEqual(new Set(Object.values(STATUS_BY_OUTCOME)));
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRowToEvent } from '../src/backfill/csv-layout.js';
import { openSource, type SourceFormat } from '../src/backfill/read-source.js';
import { tempDir } from './backfill-helpers.js';

/** Every row read again by its bytes gives the body the first read gave: what a chunk's delivery relies on. */
async function expectRereadsMatch(path: string, format: SourceFormat) {
  const reader = openSource(path, format);
  const rows = [];
  try {
    for await (const row of reader.rows()) {
      rows.push(row);
      if ('body' in row) expect(await reader.bodyAt(row)).toBe(row.body);
    }
  } finally {
    await reader.close();
  }
  return rows;
}

describe('backfill source: rows read again by their bytes', () => {
  it('NDJSON: CRLF, blank lines, archive records, multi-byte UTF-8, no final newline', async () => {
    const path = join(await tempDir(), 'rows.ndjson');
    const raw = JSON.stringify({ user_id: 'zoë 😀', event_name: 'SUBSCRIPTION_RENEWED' });
    const record = JSON.stringify({ receivedAt: 'x', body: JSON.stringify({ user_id: 'ß' }) });
    await writeFile(path, `${raw}\r\n\n   \n${record}\nnot json\n${raw}`);
    const rows = await expectRereadsMatch(path, 'ndjson');
    expect(rows.map((row) => row.row)).toEqual([1, 4, 5, 6]);
    expect(rows.map((row) => ('body' in row ? row.body : ''))).toEqual([
      raw,
      JSON.stringify({ user_id: 'ß' }),
      'not json',
      raw,
    ]);
  });

  it('NDJSON: any lines, in chunks of any size', async () => {
    const dir = await tempDir();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        async (lines, newline) => {
          const path = join(dir, 'property.ndjson');
          const clean = lines.map((line) => line.replace(/[\r\n]/g, ' '));
          await writeFile(path, clean.join(newline));
          await expectRereadsMatch(path, 'ndjson');
        },
      ),
      { numRuns: 50 },
    );
  });

  it('NDJSON: a --failed line of a CSV row is read through the CSV layout; a webhook body with a record field is not', async () => {
    const path = join(await tempDir(), 'failed.ndjson');
    const cells = {
      user_id: 'u1',
      environment: 'PRODUCTION',
      event_created_at_ms: '1704844800000',
      subscription_status: 'PAUSED',
    };
    const webhook = JSON.stringify({ api_version: 3, record: { a: 'b' } });
    await writeFile(
      path,
      `${JSON.stringify({ row: 2, reason: 'invalid_number', message: 'x', record: cells })}\n` +
        `${JSON.stringify({ row: 3, reason: 'invalid_number', message: 'x', record: { ...cells, event_created_at_ms: 'soon' } })}\n` +
        `${webhook}\n`,
    );
    const rows = await expectRereadsMatch(path, 'ndjson');
    expect(rows.map((row) => ('body' in row ? row.body : row.failure.reason))).toEqual([
      JSON.stringify(csvRowToEvent(cells)),
      'invalid_number',
      webhook,
    ]);
  });

  it('CSV: a BOM, quoted newlines, blank lines between rows', async () => {
    const path = join(await tempDir(), 'rows.csv');
    await writeFile(
      path,
      '\uFEFFuser_id,environment,event_created_at_ms,subscription_status,plan\r\n' +
        'u1,PRODUCTION,1704844800000,AUTO_RENEWING,"month\nly"\r\n\r\n' +
        'u2,PRODUCTION,1704844800000,PAUSED,yearly\r\n' +
        'u3,PRODUCTION,not-a-number,PAUSED,yearly\r\n' +
        'zoë,SANDBOX,1704844800000,REVOKED,',
    );
    const rows = await expectRereadsMatch(path, 'csv');
    expect(
      rows.map((row) => ('body' in row ? JSON.parse(row.body).user_id : row.failure.reason)),
    ).toEqual(['u1', 'u2', 'invalid_number', 'zoë']);
  });
});

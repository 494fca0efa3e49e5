import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signPurchaselyWebhook } from '@purchasely-customerio/core';
import { purchaselyEvent } from '@purchasely-customerio/testing';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const SECRET = 'whsec_cli_verify_secret_never_printed';
const dir = mkdtempSync(join(tmpdir(), 'cli-verify-'));

/** A request as Purchasely sends it: compact JSON, signed now (or at `timestamp`). */
async function captured(timestamp?: number) {
  const body = JSON.stringify(purchaselyEvent('SUBSCRIPTION_STARTED', { user_id: 'verify-user' }));
  const headers = await signPurchaselyWebhook({
    secret: SECRET,
    body,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
  return { headers: { 'content-type': 'application/json', ...headers }, body };
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function verify(args: string[], options: { stdin?: string; secret?: string } = {}) {
  const result = await runCli(['verify', ...args], {
    env: { PURCHASELY_WEBHOOK_SECRET: options.secret ?? SECRET },
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
  expect(result.stdout).not.toContain(SECRET);
  expect(result.stderr).not.toContain(SECRET);
  return result;
}

describe('verify: a captured request checked against the secret', () => {
  it('valid (JSON capture file): exit 0', async () => {
    const result = await verify([file('valid.json', JSON.stringify(await captured()))]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^valid\nThe signature is valid: signed at /);
  });

  it('valid (HTTP message on stdin, the file-ending newline ignored): exit 0', async () => {
    const { headers, body } = await captured();
    const message = [
      'POST /webhooks/purchasely HTTP/1.1',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      '',
      `${body}\n`,
    ].join('\r\n');
    const result = await verify(['-'], { stdin: message });
    expect(result.code).toBe(0);
  });

  it('wrong secret: signature_mismatch, the body ruled out as re-serialised; exit 1', async () => {
    const result = await verify([file('wrong.json', JSON.stringify(await captured()))], {
      secret: 'another-secret',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid: signature_mismatch\n/);
    expect(result.stdout).toContain('either the secret is not the one Purchasely signs with');
  });

  it('body re-serialised (pretty-printed by a logger): says so, and that the secret is right; exit 1', async () => {
    const { headers, body } = await captured();
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const result = await verify([file('pretty.json', JSON.stringify({ headers, body: pretty }))]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid: body_reserialised\n/);
    expect(result.stdout).toContain('The secret is right');
  });

  it('body changed in content: not taken for a re-serialisation; exit 1', async () => {
    const { headers, body } = await captured();
    const changed = body.replace('verify-user', 'someone-else');
    const result = await verify([file('changed.json', JSON.stringify({ headers, body: changed }))]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid: signature_mismatch\n/);
  });

  it("stale timestamp: authentic but outside the window, from the capture's receivedAt or --at; exit 1", async () => {
    const signedAt = Math.floor(Date.now() / 1000) - 3_600;
    const capture = await captured(signedAt);
    const stale = await verify([file('stale.json', JSON.stringify(capture))]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(
      /^invalid: timestamp_too_old\nThe signature is valid but X-PURCHASELY-TIMESTAMP is 36\d\d s in the past/,
    );
    // Checked at the time it was received, the same capture is valid.
    const receivedAt = new Date((signedAt + 2) * 1000).toISOString();
    const atReceipt = await verify([
      file('received.json', JSON.stringify({ ...capture, receivedAt })),
    ]);
    expect(atReceipt.code).toBe(0);
    const withAt = await verify([
      file('stale.json', JSON.stringify(capture)),
      '--at',
      String((signedAt + 2) * 1000),
    ]);
    expect(withAt.code).toBe(0);
  });

  it('missing headers: missing_signature, missing_timestamp; exit 1', async () => {
    const { headers, body } = await captured();
    const noSignature = { ...headers, 'x-purchasely-request-signature': undefined };
    const a = await verify([file('no-sig.json', JSON.stringify({ headers: noSignature, body }))]);
    expect([a.code, a.stdout]).toEqual([
      1,
      expect.stringMatching(
        /^invalid: missing_signature\nMissing X-PURCHASELY-REQUEST-SIGNATURE header/,
      ),
    ]);
    const noTimestamp = { ...headers, 'x-purchasely-timestamp': undefined };
    const b = await verify([file('no-ts.json', JSON.stringify({ headers: noTimestamp, body }))]);
    expect([b.code, b.stdout]).toEqual([
      1,
      expect.stringMatching(/^invalid: missing_timestamp\nMissing X-PURCHASELY-TIMESTAMP header/),
    ]);
  });

  it('--json: the diagnosis as one JSON object', async () => {
    const result = await verify([file('json.json', JSON.stringify(await captured())), '--json'], {
      secret: 'nope',
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('usage mistakes exit 2: no secret, a body given as an object, no such file', async () => {
    const capture = await captured();
    const noSecret = await runCli(['verify', file('x.json', JSON.stringify(capture))], {
      env: { PURCHASELY_WEBHOOK_SECRET: undefined },
    });
    expect([noSecret.code, noSecret.stderr]).toEqual([
      2,
      expect.stringContaining('--secret or PURCHASELY_WEBHOOK_SECRET'),
    ]);
    const parsed = await verify([
      file(
        'obj.json',
        JSON.stringify({ headers: capture.headers, body: JSON.parse(capture.body) }),
      ),
    ]);
    expect([parsed.code, parsed.stderr]).toEqual([
      2,
      expect.stringContaining('"body" must be the raw body as one JSON string'),
    ]);
    const missing = await verify([join(dir, 'absent.json')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('no such file')]);
  });
});

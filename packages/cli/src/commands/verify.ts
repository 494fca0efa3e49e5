import type { CAC } from 'cac';
import { EXIT, UsageError } from '../exit-codes.js';
import { readInput } from '../read-input.js';
import { webhookSecret } from '../secret.js';
import { parseTime } from '../time.js';
import { parseCapture } from '../verify/capture.js';
import { diagnose } from '../verify/diagnose.js';

/** Core's default replay window (five minutes either way), which a bridge uses unless configured. */
const DEFAULT_TOLERANCE_SECONDS = 300;

interface VerifyFlags {
  secret?: unknown;
  tolerance?: unknown;
  at?: unknown;
  allowDeprecated?: boolean;
  json?: boolean;
}

export function registerVerify(cli: CAC): void {
  cli
    .command(
      'verify [capture]',
      'Check a captured webhook request (a file, or - / nothing for stdin) against the secret, and say why it fails',
    )
    .option(
      '--secret <secret>',
      'Client shared secret (env PURCHASELY_WEBHOOK_SECRET); never printed',
    )
    .option('--tolerance <seconds>', 'Replay window, seconds either way', {
      default: DEFAULT_TOLERANCE_SECONDS,
    })
    .option(
      '--at <time>',
      "Check the window at this time (ISO or epoch ms); default the capture's receivedAt, else now",
    )
    .option('--allow-deprecated', 'Accept the deprecated X-PURCHASELY-SIGNATURE header')
    .option('--json', 'Print the result as JSON')
    .example('  purchasely-customerio verify capture.json --secret "$PURCHASELY_WEBHOOK_SECRET"')
    .example('  pbpaste | purchasely-customerio verify -')
    .example('  purchasely-customerio verify request.http --at 2024-05-01T12:00:00Z')
    .action((capture: string | undefined, flags: VerifyFlags) => runVerify(capture, flags));
}

async function runVerify(path: string | undefined, flags: VerifyFlags): Promise<number> {
  const secret = webhookSecret(flags.secret, process.env);
  const tolerance = Number(flags.tolerance);
  if (!(tolerance >= 0)) throw new UsageError('--tolerance must be a number of seconds, 0 or more');
  const source = path === undefined || path === '-' ? 'stdin' : path;
  const text = await readInput(path ?? '-');
  if (text.trim() === '') throw new UsageError(`${source} is empty: expected a captured request`);
  const capture = parseCapture(text, source);
  const at =
    flags.at === undefined ? (capture.receivedAt ?? Date.now()) : parseTime(flags.at, '--at');
  const diagnosis = await diagnose(capture, {
    secret,
    toleranceSeconds: tolerance,
    at,
    allowDeprecatedSignature: flags.allowDeprecated === true,
  });
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ ...diagnosis, checkedAt: new Date(at).toISOString() })}\n`,
    );
  } else {
    process.stdout.write(
      diagnosis.ok
        ? `valid\n${diagnosis.message}\n`
        : `invalid: ${diagnosis.reason}\n${diagnosis.message}\n`,
    );
  }
  return diagnosis.ok ? EXIT.ok : EXIT.failure;
}

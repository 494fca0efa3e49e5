import {
  type SignatureFailureReason,
  verifyPurchaselySignature,
} from '@purchasely-customerio/core';
import type { CapturedRequest } from './capture.js';

/** Why a capture fails, beyond core's reasons: what the CLI can tell by trying the usual alterations. */
export type DiagnosisReason =
  | SignatureFailureReason
  | 'body_reserialised'
  | 'body_line_endings_changed'
  | 'body_trailing_newline';

export type Diagnosis =
  | { ok: true; timestamp: number; scheme: string; message: string }
  | { ok: false; reason: DiagnosisReason; message: string };

export interface DiagnoseOptions {
  secret: string;
  /** The replay window, seconds either way. */
  toleranceSeconds: number;
  /** The time to check the window against (ms since the epoch). */
  at: number;
  allowDeprecatedSignature: boolean;
}

interface Alteration {
  reason: DiagnosisReason;
  /** The body as it was signed, if this alteration happened since. */
  original(body: string): string | undefined;
  message: string;
}

const reformatted = (body: string, indent: number | string | undefined) => {
  try {
    return JSON.stringify(JSON.parse(body), null, indent);
  } catch {
    return undefined;
  }
};

const RAW_BODY_HINT =
  'verify the raw bytes as received (express.raw(), await request.arrayBuffer()), before any JSON parser, and capture them the same way';

/**
 * The alterations a body usually suffers between Purchasely and a verifier. Each turns the captured body
 * back into what may have been signed; a match says exactly what happened.
 */
const ALTERATIONS: readonly Alteration[] = [
  {
    reason: 'body_trailing_newline',
    original: (body) => (/\s$/.test(body) ? body.replace(/\s+$/, '') : undefined),
    message:
      'The signature matches the body without its trailing newline or spaces: something added them (an editor saving the capture, echo, a proxy). Capture the body byte for byte.',
  },
  {
    reason: 'body_line_endings_changed',
    original: (body) => (body.includes('\r\n') ? body.replace(/\r\n/g, '\n') : undefined),
    message:
      'The signature matches the body with LF line ends instead of CRLF: the line ends were converted (a Windows editor, git autocrlf). Capture the body byte for byte.',
  },
  ...([undefined, 2, 4, '\t'] as const).map(
    (indent): Alteration => ({
      reason: 'body_reserialised',
      original: (body) => {
        const text = reformatted(body, indent);
        return text === body ? undefined : text;
      },
      message: `The signature matches JSON.stringify(JSON.parse(body)${indent === undefined ? '' : `, null, ${JSON.stringify(indent)}`}), not the body as captured: the body was parsed and re-serialised (by a JSON body parser, a framework, a logger) after Purchasely signed it. The secret is right; ${RAW_BODY_HINT}.`,
    }),
  ),
];

/**
 * Verifies a captured request with core's verifier; on a signature mismatch, tries the usual alterations of
 * the body to say whether the secret is wrong or the body changed, and how.
 */
export async function diagnose(
  capture: CapturedRequest,
  options: DiagnoseOptions,
): Promise<Diagnosis> {
  const check = (body: string, toleranceSeconds: number) =>
    verifyPurchaselySignature({
      body,
      headers: capture.headers,
      secret: options.secret,
      toleranceSeconds,
      now: () => options.at,
      allowDeprecatedSignature: options.allowDeprecatedSignature,
    });
  const result = await check(capture.body, options.toleranceSeconds);
  if (result.ok) {
    const age = Math.round(options.at / 1000 - result.timestamp);
    return {
      ok: true,
      timestamp: result.timestamp,
      scheme: result.scheme,
      message: `The signature is valid: signed at ${new Date(result.timestamp * 1000).toISOString()} (${age} s before the time checked), ${result.scheme === 'deprecated' ? 'with the deprecated X-PURCHASELY-SIGNATURE header, which does not cover the body' : 'body and timestamp covered'}.${result.warnings.map((warning) => ` ${warning.message}`).join('')}`,
    };
  }
  const malformed = / is malformed:/.test(result.message);
  if (result.reason !== 'signature_mismatch' || malformed)
    return { ok: false, reason: result.reason, message: result.message };

  for (const alteration of ALTERATIONS) {
    const original = alteration.original(capture.body);
    if (original === undefined) continue;
    if ((await check(original, Number.POSITIVE_INFINITY)).ok)
      return { ok: false, reason: alteration.reason, message: alteration.message };
  }
  return {
    ok: false,
    reason: 'signature_mismatch',
    message: `${result.message} The body is not a re-serialisation of what was signed (compact or indented JSON, line ends, a trailing newline were all tried), so either the secret is not the one Purchasely signs with, or the body's content was changed.`,
  };
}

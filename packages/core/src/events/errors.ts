import { PurchaselyCustomerIoError } from '../errors.js';

/** Why a body could not be read as a Purchasely api_version 3 event. */
export type PurchaselyPayloadErrorCode =
  | 'invalid_json'
  | 'not_an_object'
  | 'legacy_api_version'
  | 'unsupported_api_version'
  | 'invalid_payload';

/** One field that did not match the api_version 3 payload. Values are never echoed: they may be personal data. */
export interface PurchaselyPayloadIssue {
  /** Dotted path of the field, e.g. `store_transaction_id`. */
  readonly path: string;
  readonly message: string;
}

/**
 * A body that is not a usable Purchasely event. `parsePurchaselyEvent` returns it rather than throwing.
 *
 * @example
 * ```ts
 * const result = parsePurchaselyEvent(body);
 * if (!result.ok && result.error.code === 'legacy_api_version') {
 *   console.error(result.error.message); // tells you to switch the webhook to v3
 * }
 * ```
 */
export class PurchaselyPayloadError extends PurchaselyCustomerIoError {
  override readonly name = 'PurchaselyPayloadError';
  /** Why the body was refused; see {@link PurchaselyPayloadErrorCode}. */
  override readonly code: PurchaselyPayloadErrorCode;
  readonly issues: readonly PurchaselyPayloadIssue[];

  constructor(
    code: PurchaselyPayloadErrorCode,
    message: string,
    options: { issues?: readonly PurchaselyPayloadIssue[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
  }
}

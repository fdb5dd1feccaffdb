import { RETRYABLE_CODES, type ErrorCode, type Mutation } from './protocol/index.js';

/** A protocol error code, or `closed` when the client was closed before an answer came. */
export type SyncClientErrorCode = ErrorCode | 'closed';

/** The one error type the SDK rejects with and reports through `onError`. Match on `code`, not on the message. */
export class SyncClientError extends Error {
  readonly code: SyncClientErrorCode;
  /** Whether the SDK keeps the change and retries it by itself. */
  readonly retryable: boolean;
  /** The mutation this error is about, if any. */
  readonly mutation: Mutation | undefined;

  constructor(code: SyncClientErrorCode, message: string, options: { mutation?: Mutation; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncClientError';
    this.code = code;
    this.retryable = code !== 'closed' && RETRYABLE_CODES.has(code);
    this.mutation = options.mutation;
  }
}

/** Duck-typed by name and code, so it also matches errors from another copy of the SDK in the bundle. */
export function isSyncClientError(value: unknown): value is SyncClientError {
  return value instanceof Error && value.name === 'SyncClientError' && typeof (value as { code?: unknown }).code === 'string';
}

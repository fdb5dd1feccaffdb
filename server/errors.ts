import type { ErrorCode, WireError } from '../client-sdk/src/protocol/index.ts';

/** The one error class of the server: a protocol code and a message safe to show the client. */
export class SyncError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SyncError';
  }
}

/** Turns anything thrown into a wire error; unknown errors become `internal` and never leak their message. */
export function toWireError(err: unknown): WireError {
  if (err instanceof SyncError) return { code: err.code, message: err.message };
  return { code: 'internal', message: 'internal error' };
}

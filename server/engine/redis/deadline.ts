/** What a call that passed its deadline rejects with (mapped to `unavailable` like ioredis' own timeout). */
export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`Command timed out (no reply within ${ms} ms of the call)`);
    this.name = 'DeadlineError';
  }
}

/**
 * Bounds a Redis call by `ms` from the moment it is made. ioredis starts a command's `commandTimeout` only
 * when the command is written, and a command can wait unsent: with auto-pipelining (no longer used by the
 * commands client) it waited while the previous pipeline of its connection was unanswered, so against a
 * frozen Redis a call took that pipeline's timeout and then its own (up to twice the timeout). The command may still be sent and run later; every write is
 * idempotent by its seq, so the caller's retry is safe.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineError(ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

import { raceTimer } from '../../util/race-timer.ts';

/** What a call that passed its deadline rejects with (mapped to `unavailable` like ioredis' own timeout). */
export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`Command timed out (no reply within ${ms} ms of the call)`);
    this.name = 'DeadlineError';
  }
}

/**
 * Bounds a Redis call by `ms` from the moment it is made. ioredis starts a command's `commandTimeout` only
 * when the command is written, and a command can wait unsent (behind a reconnect, or a pipeline of its
 * connection that Redis has not answered), so against a frozen Redis a call could take twice the timeout.
 * The command may still be sent and run later; every write is idempotent by its seq, so the caller's retry
 * is safe.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return raceTimer(promise, ms, () => new DeadlineError(ms));
}

/**
 * The one way tests, the fault suite, the bench and the demo bound a wait: `timeout()` races a promise
 * against a timer, `poll()` asks a probe again until it answers. Both name what they waited for, so a
 * failure says what did not happen instead of a bare "timed out".
 */
import { raceTimer } from '../../server/util/race-timer.ts';

/** Thrown by `timeout()` and `poll()` when time runs out. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Resolves or rejects as `promise` does, or rejects with a TimeoutError after `ms`; the timer never outlives it. */
export function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const settled = promise.catch((err: unknown) => {
    throw err instanceof Error ? err : new Error(String(err));
  });
  return raceTimer(settled, ms, () => new TimeoutError(`${what}: not done within ${ms} ms`));
}

export interface PollOptions {
  /** What is awaited, for the error message. */
  what: string;
  /** @default 10_000 */
  timeoutMs?: number;
  /** Pause between two probes. @default 50 */
  everyMs?: number;
}

/**
 * Calls `probe` until it returns a value other than `undefined`, `null` or `false` and resolves with that value.
 * A probe that throws counts as "not yet" (a server not listening yet); its last error is in the TimeoutError.
 */
export async function poll<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, options: PollOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === null ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new TimeoutError(`${options.what}: not true within ${timeoutMs} ms${cause}`);
    }
    await pause(options.everyMs ?? 50);
  }
}

/** Resolves after `ms` of real time. Only for pacing a workload or a fault, never to wait for a result (use poll). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

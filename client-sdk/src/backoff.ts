/** Exponential backoff settings. */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. @default 500 */
  baseMs: number;
  /** Largest ceiling, in ms (while the page is hidden or the app in the background). @default 30000 */
  capMs: number;
  /**
   * Largest ceiling of reconnect delays while the page is visible (or the app is active), in ms: someone is
   * looking, so a node that is back must not stay unused for half a minute. @default 10000
   */
  foregroundCapMs?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000, foregroundCapMs: 10_000 };

/**
 * "Full jitter": a uniform delay in [0, min(cap, base * 2^attempt)), so clients that lost the same node
 * spread their reconnects instead of arriving together.
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * ceiling);
}

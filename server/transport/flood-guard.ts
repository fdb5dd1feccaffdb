/** What the guard says about one more request from a socket. */
export type FloodVerdict = 'ok' | 'slow_down' | 'cut_off';

export interface FloodGuardOptions {
  /** Requests per second a socket may keep up. */
  perSecond: number;
  /** Requests a socket may send at once. */
  burst: number;
}

/**
 * A per-socket token bucket computed lazily on each request (no timers). A socket that keeps sending
 * after being told to slow down digs the bucket below zero; a debt of one more burst means a flood.
 */
export interface FloodGuard {
  take(now: number): FloodVerdict;
}

export function createFloodGuard(options: FloodGuardOptions, now: number): FloodGuard {
  let tokens = options.burst;
  let last = now;
  return {
    take(at) {
      tokens = Math.min(options.burst, tokens + ((at - last) / 1000) * options.perSecond);
      last = at;
      tokens -= 1;
      if (tokens >= 0) return 'ok';
      return tokens < -options.burst ? 'cut_off' : 'slow_down';
    },
  };
}

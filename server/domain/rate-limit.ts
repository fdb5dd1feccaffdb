import type { RateLimit } from '../engine/engine.ts';

/** A token bucket's stored state. */
export interface Bucket {
  tokens: number;
  /** When `tokens` was computed (ms). */
  ts: number;
}

/**
 * Refills the bucket for the time elapsed and takes one token if there is one.
 * The Lua prelude computes the very same expression, in the same order, so both engines agree to the bit.
 */
export function takeToken(bucket: Bucket | undefined, now: number, limit: RateLimit): { bucket: Bucket; allowed: boolean } {
  let tokens = limit.burst;
  if (bucket) {
    const elapsed = Math.max(0, now - bucket.ts);
    tokens = Math.min(limit.burst, bucket.tokens + (elapsed * limit.perSecond) / 1000);
  }
  if (tokens < 1) return { bucket: { tokens, ts: now }, allowed: false };
  return { bucket: { tokens: tokens - 1, ts: now }, allowed: true };
}

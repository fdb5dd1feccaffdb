import { LIMITS } from '../../client-sdk/src/protocol/index.ts';
import type { RateLimit } from '../engine/engine.ts';

/** A token bucket's stored state. */
export interface Bucket {
  tokens: number;
  /** When `tokens` was computed (ms). */
  ts: number;
}

/**
 * The tokens an answer of `bytes` costs beyond the one its request took: one more per LIMITS.rateBytesPerToken.
 * rate-limit.lua's `answer_cost` is the same expression.
 */
export function extraTokens(bytes: number): number {
  return Math.floor(bytes / LIMITS.rateBytesPerToken);
}

/**
 * Takes `count` more tokens once an answer's size is known, down to `-burst` at most: the request was already
 * admitted, so the debt is paid by the requests after it, which wait for the refill. Same as `charge_tokens`.
 */
export function chargeTokens(bucket: Bucket, count: number, limit: RateLimit): Bucket {
  return count <= 0 ? bucket : { tokens: Math.max(-limit.burst, bucket.tokens - count), ts: bucket.ts };
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

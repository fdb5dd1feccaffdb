/**
 * When to try a webhook delivery again, what an HTTP answer means, and when an endpoint is given up on.
 * Pure: time and randomness come in as arguments.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The Standard Webhooks schedule: the first attempt at once, then retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h
 * and 10 h after the previous one (about 27.5 h in all).
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];
/** An endpoint whose deliveries have all failed for this long is disabled. */
export const DEFAULT_DISABLE_AFTER_MS = 5 * DAY;
/** Longest wait a Retry-After header can ask for; past it the endpoint is treated as failing. */
export const MAX_RETRY_AFTER_MS = 10 * HOUR;

export interface RetryPolicy {
  /** Delay before each attempt, counted from the previous one; entry 0 is the first attempt. */
  scheduleMs: readonly number[];
  /** Each delay is spread uniformly over ±jitter of itself (0.2 → 80 %..120 %), so retries do not arrive in waves. @default 0.2 */
  jitter: number;
  /** @default 5 days */
  disableAfterMs: number;
  /** @default 10 h */
  maxRetryAfterMs: number;
}

export function createRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = {
    scheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
    jitter: 0.2,
    disableAfterMs: DEFAULT_DISABLE_AFTER_MS,
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
    ...overrides,
  };
  if (policy.scheduleMs.length === 0) throw new Error('a retry schedule has at least one attempt');
  if (policy.scheduleMs.some((d) => !Number.isFinite(d) || d < 0)) throw new Error('retry delays are non-negative numbers');
  if (!(policy.jitter >= 0 && policy.jitter < 1)) throw new Error('jitter is in [0, 1)');
  return policy;
}

/**
 * Milliseconds to wait before the next attempt, after `attemptsMade` attempts have failed; null when the
 * schedule is exhausted (the event goes to the dead-letter list). A Retry-After the receiver sent is honoured
 * as a lower bound (never earlier than it asked), capped at maxRetryAfterMs.
 */
export function nextRetryDelay(
  policy: RetryPolicy,
  attemptsMade: number,
  options: { retryAfterMs?: number | null; random?: () => number } = {},
): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) throw new Error('attemptsMade counts failed attempts, from 1');
  const base = policy.scheduleMs[attemptsMade];
  if (base === undefined) return null;
  const random = options.random ?? Math.random;
  const jittered = Math.round(base * (1 - policy.jitter + 2 * policy.jitter * random()));
  const asked = Math.min(options.retryAfterMs ?? 0, policy.maxRetryAfterMs);
  return Math.max(jittered, asked);
}

/** How many attempts an event gets at most. */
export function maxAttempts(policy: RetryPolicy): number {
  return policy.scheduleMs.length;
}

/**
 * Parses a Retry-After header (RFC 9110: delay-seconds or an HTTP-date) into milliseconds from `nowMs`.
 * Null when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, nowMs: number): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return null;
  if (/^\d{1,10}$/.test(text)) return Number(text) * SECOND;
  // IMF-fixdate, plus the obsolete RFC 850 and asctime forms that recipients must accept.
  const httpDate = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
  const rfc850 = /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
  const asctime = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;
  if (!httpDate.test(text) && !rfc850.test(text) && !asctime.test(text)) return null;
  const at = Date.parse(asctime.test(text) ? `${text} GMT` : text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/** What one answer from a receiver means for the event and the endpoint. */
export type ResponseClass =
  | { kind: 'delivered' }
  /** 410 Gone: the receiver asks us to stop; the endpoint is disabled. */
  | { kind: 'gone' }
  | { kind: 'retry'; afterMs: number | null; reason: string };

/** Classifies an HTTP status (and Retry-After, honoured on 429 and 503 only). */
export function classifyResponse(status: number, retryAfter: string | readonly string[] | undefined, nowMs: number): ResponseClass {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  if (status === 429 || status === 503) return { kind: 'retry', afterMs: parseRetryAfter(retryAfter, nowMs), reason: `http_${status}` };
  // Redirects are not followed: a moved endpoint must be updated by its owner, not guessed.
  if (status >= 300 && status < 400) return { kind: 'retry', afterMs: null, reason: `redirect_${status}` };
  return { kind: 'retry', afterMs: null, reason: `http_${status}` };
}

/** What the dispatcher keeps per endpoint to decide when to disable it. */
export interface EndpointHealth {
  /** When the first failure of the current unbroken run of failures happened; null when the last attempt succeeded. */
  failingSinceMs: number | null;
}

export type HealthVerdict =
  | { action: 'keep'; health: EndpointHealth }
  | { action: 'disable'; reason: 'gone' | 'failing'; health: EndpointHealth };

/**
 * The endpoint's health after one attempt. Any success resets the run of failures; 410 disables at once;
 * failures that have gone on for disableAfterMs disable it.
 */
export function updateEndpointHealth(
  policy: RetryPolicy,
  health: EndpointHealth,
  outcome: 'delivered' | 'gone' | 'failed',
  nowMs: number,
): HealthVerdict {
  if (outcome === 'delivered') return { action: 'keep', health: { failingSinceMs: null } };
  const failingSinceMs = health.failingSinceMs ?? nowMs;
  if (outcome === 'gone') return { action: 'disable', reason: 'gone', health: { failingSinceMs } };
  if (nowMs - failingSinceMs >= policy.disableAfterMs) return { action: 'disable', reason: 'failing', health: { failingSinceMs } };
  return { action: 'keep', health: { failingSinceMs } };
}

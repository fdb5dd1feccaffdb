import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_SCHEDULE_MS,
  classifyResponse,
  createRetryPolicy,
  maxAttempts,
  nextRetryDelay,
  parseRetryAfter,
  updateEndpointHealth,
} from '../../server/webhooks/retry-policy.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const NOW = Date.UTC(2026, 11, 2, 1, 0, 0);

describe('retry schedule', () => {
  it('follows the specification: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up', () => {
    const policy = createRetryPolicy({ jitter: 0 });
    expect(maxAttempts(policy)).toBe(8);
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => nextRetryDelay(policy, n));
    expect(delays).toEqual([5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H, null]);
    expect(DEFAULT_RETRY_SCHEDULE_MS[0]).toBe(0);
  });

  it('spreads each delay over ±jitter, never outside it', () => {
    const policy = createRetryPolicy({ jitter: 0.2 });
    expect(nextRetryDelay(policy, 1, { random: () => 0 })).toBe(4 * S);
    expect(nextRetryDelay(policy, 1, { random: () => 0.999999 })).toBe(6 * S);
    expect(nextRetryDelay(policy, 1, { random: () => 0.5 })).toBe(5 * S);
    for (let i = 0; i < 200; i++) {
      const d = nextRetryDelay(policy, 2) ?? -1;
      expect(d).toBeGreaterThanOrEqual(4 * M);
      expect(d).toBeLessThanOrEqual(6 * M);
    }
  });

  it('honours Retry-After as a lower bound, capped', () => {
    const policy = createRetryPolicy({ jitter: 0, maxRetryAfterMs: H });
    expect(nextRetryDelay(policy, 1, { retryAfterMs: 60 * S })).toBe(60 * S);
    expect(nextRetryDelay(policy, 2, { retryAfterMs: 1 * S })).toBe(5 * M);
    expect(nextRetryDelay(policy, 1, { retryAfterMs: 48 * H })).toBe(H);
    expect(nextRetryDelay(policy, 8, { retryAfterMs: 1 * S })).toBeNull();
  });

  it('takes a short schedule for tests and refuses a broken one', () => {
    const policy = createRetryPolicy({ scheduleMs: [0, 10, 20], jitter: 0 });
    expect([1, 2, 3].map((n) => nextRetryDelay(policy, n))).toEqual([10, 20, null]);
    expect(() => createRetryPolicy({ scheduleMs: [] })).toThrow();
    expect(() => createRetryPolicy({ scheduleMs: [0, -1] })).toThrow();
    expect(() => createRetryPolicy({ jitter: 1 })).toThrow();
    expect(() => nextRetryDelay(policy, 0)).toThrow();
  });
});

describe('Retry-After', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120 * S);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter(['7', '9'], NOW)).toBe(7 * S);
  });

  it('reads an HTTP-date in all three forms, and a past date as 0', () => {
    const later = new Date(NOW + 90 * S);
    expect(parseRetryAfter(later.toUTCString(), NOW)).toBe(90 * S);
    expect(parseRetryAfter('Wednesday, 02-Dec-26 01:01:30 GMT', NOW)).toBe(90 * S);
    expect(parseRetryAfter('Wed Dec  2 01:01:30 2026', NOW)).toBe(90 * S);
    expect(parseRetryAfter(new Date(NOW - H).toUTCString(), NOW)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const bad of [undefined, '', '-5', '1.5', 'soon', '2026-12-02T01:00:00Z', 'Wed, 02 Dec 2026 01:00:00 PST', '99999999999']) {
      expect(parseRetryAfter(bad, NOW)).toBeNull();
    }
  });
});

describe('response classification', () => {
  it('treats every 2xx as delivered', () => {
    for (const s of [200, 201, 202, 204, 299]) expect(classifyResponse(s, undefined, NOW)).toEqual({ kind: 'delivered' });
  });

  it('treats 410 as gone, whatever Retry-After says', () => {
    expect(classifyResponse(410, '5', NOW)).toEqual({ kind: 'gone' });
  });

  it('retries 429 and 503 after the Retry-After they sent', () => {
    expect(classifyResponse(429, '30', NOW)).toEqual({ kind: 'retry', afterMs: 30 * S, reason: 'http_429' });
    expect(classifyResponse(503, undefined, NOW)).toEqual({ kind: 'retry', afterMs: null, reason: 'http_503' });
  });

  it('retries everything else, redirects included, and ignores Retry-After on them', () => {
    expect(classifyResponse(500, '30', NOW)).toEqual({ kind: 'retry', afterMs: null, reason: 'http_500' });
    expect(classifyResponse(404, undefined, NOW)).toEqual({ kind: 'retry', afterMs: null, reason: 'http_404' });
    expect(classifyResponse(301, undefined, NOW)).toEqual({ kind: 'retry', afterMs: null, reason: 'redirect_301' });
    expect(classifyResponse(308, undefined, NOW)).toEqual({ kind: 'retry', afterMs: null, reason: 'redirect_308' });
  });
});

describe('endpoint health', () => {
  const policy = createRetryPolicy();
  const DAY = 24 * H;

  it('disables an endpoint at once on 410', () => {
    expect(updateEndpointHealth(policy, { failingSinceMs: null }, 'gone', NOW)).toEqual({
      action: 'disable',
      reason: 'gone',
      health: { failingSinceMs: NOW },
    });
  });

  it('disables an endpoint only after five days of unbroken failures', () => {
    let health = updateEndpointHealth(policy, { failingSinceMs: null }, 'failed', NOW).health;
    expect(health).toEqual({ failingSinceMs: NOW });
    const day4 = updateEndpointHealth(policy, health, 'failed', NOW + 4 * DAY);
    expect(day4.action).toBe('keep');
    health = day4.health;
    expect(health.failingSinceMs).toBe(NOW);
    const day5 = updateEndpointHealth(policy, health, 'failed', NOW + 5 * DAY);
    expect(day5).toMatchObject({ action: 'disable', reason: 'failing' });
  });

  it('starts the five days again after one success', () => {
    const failing = { failingSinceMs: NOW };
    const ok = updateEndpointHealth(policy, failing, 'delivered', NOW + 4 * DAY);
    expect(ok).toEqual({ action: 'keep', health: { failingSinceMs: null } });
    const next = updateEndpointHealth(policy, ok.health, 'failed', NOW + 6 * DAY);
    expect(next).toEqual({ action: 'keep', health: { failingSinceMs: NOW + 6 * DAY } });
  });
});

import { describe, expect, it, vi } from 'vitest';
import { createClockOffset } from '../../src/sync/clock-offset.ts';
import { decodeTokenClaims } from '../../src/token/jwt.ts';
import { createTokenManager } from '../../src/token/token-manager.ts';
import type { Timers } from '../../src/util/timers.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'HS256' })}.${b64url(claims)}.sig`;

describe('clock offset', () => {
  it('takes the midpoint of the round trip (NTP style)', () => {
    const clock = createClockOffset();
    clock.sample(1000, 1100, 5050);
    expect(clock.offsetMs).toBe(4000);
    expect(clock.toServerTime(2000)).toBe(6000);
  });

  it('prefers the sample with the shortest round trip', () => {
    const clock = createClockOffset();
    clock.sample(0, 400, 1300);
    clock.sample(1000, 1010, 2005);
    clock.sample(2000, 2600, 4000);
    expect(clock.offsetMs).toBe(1000);
  });

  it('never stays behind a change it has received, so a report made after seeing it is stamped after it', () => {
    const clock = createClockOffset();
    // A busy client read the answer 800 ms late: the midpoint says the server is 400 ms behind the truth.
    clock.sample(1000, 1810, 1010);
    expect(clock.offsetMs).toBe(-395);
    // A change committed at server time 3000 arrives at local 3005: the server was at 3000 or later by then.
    clock.observe(3000, 3005);
    expect(clock.offsetMs).toBe(-4);
    expect(clock.toServerTime(3005)).toBeGreaterThan(3000);
    // A bound below the estimate changes nothing.
    clock.observe(3500, 4000);
    expect(clock.offsetMs).toBe(-4);
  });

  it('takes a bound from a received change before any round trip', () => {
    const clock = createClockOffset();
    clock.observe(10_000.4, 2000);
    expect(clock.offsetMs).toBe(8002);
  });

  it('forgets old bounds, so a server clock stepped back is followed again', () => {
    const clock = createClockOffset(2);
    clock.sample(0, 10, 5);
    clock.observe(5000, 10);
    expect(clock.offsetMs).toBe(4991);
    clock.observe(20, 20);
    clock.observe(30, 30);
    expect(clock.offsetMs).toBe(1);
  });
});

describe('decodeTokenClaims', () => {
  it('reads exp, iat and sub without verifying', () => {
    expect(decodeTokenClaims(jwt({ sub: 'ana', exp: 2000, iat: 1000.5 }))).toEqual({ subject: 'ana', expiresAt: 2_000_000, issuedAt: 1_000_500 });
  });

  it('decodes UTF-8 and survives garbage', () => {
    expect(decodeTokenClaims(jwt({ sub: 'zoë' })).subject).toBe('zoë');
    expect(decodeTokenClaims('not-a-jwt')).toEqual({ subject: null, expiresAt: null, issuedAt: null });
    expect(decodeTokenClaims('a.!!!.c').expiresAt).toBeNull();
  });
});

describe('token manager', () => {
  const fakeTimers = (start: number): Timers & { t: number } => {
    const timers = { t: start, now: () => timers.t, setTimeout: () => 0, clearTimeout: () => {} };
    return timers;
  };

  it('reuses a token until a quarter of its life remains, then fetches a new one', async () => {
    const timers = fakeTimers(1_000_000);
    const getToken = vi.fn(() => jwt({ sub: 'u', iat: 1000, exp: 1100 }));
    const tokens = createTokenManager({ getToken, timers, toServerTime: (t) => t });
    expect((await tokens.get()).fresh).toBe(true);
    timers.t = 1_074_000;
    expect((await tokens.get()).fresh).toBe(false);
    timers.t = 1_075_000;
    expect((await tokens.get()).fresh).toBe(true);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it('plans the refresh in local time using the clock offset, at most a minute ahead', async () => {
    const timers = fakeTimers(0);
    const tokens = createTokenManager({ getToken: () => jwt({ iat: 0, exp: 3600 }), timers, toServerTime: (t) => t + 5000 });
    const { info } = await tokens.get();
    expect(tokens.refreshAt(info)).toBe(3_600_000 - 60_000 - 5000);
  });

  it('shares one getToken call between concurrent callers and rejects an empty token', async () => {
    let calls = 0;
    const tokens = createTokenManager({ getToken: async () => (calls++, ''), timers: fakeTimers(0), toServerTime: (t) => t });
    const results = await Promise.allSettled([tokens.fetch(), tokens.fetch()]);
    expect(calls).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(tokens.fetch()).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

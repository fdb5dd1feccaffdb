import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAdmission, createOriginPolicy } from '../../../server/transport/admission.ts';
import { createExpiryWheel } from '../../../server/transport/expiry-wheel.ts';
import { createFloodGuard } from '../../../server/transport/flood-guard.ts';
import { userRoom } from '../../../server/transport/rooms.ts';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('userRoom', () => {
  it('never names a room with exactly 20 characters (the sharded adapter would take it for a socket id)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 128 }), (id) => userRoom(id).length !== 20));
    expect(userRoom('a'.repeat(16))).toHaveLength(21);
    expect(userRoom('alice')).toBe('{u:alice}');
  });
});

describe('origin policy and admission', () => {
  const allowed = createOriginPolicy(['https://app.example']);
  it('allows no Origin, listed origins and same-origin pages, and refuses others', () => {
    expect(allowed(req({ host: 'gw:3000' }))).toBe(true);
    expect(allowed(req({ host: 'gw:3000', origin: 'https://app.example' }))).toBe(true);
    expect(allowed(req({ host: 'gw:3000', origin: 'http://gw:3000' }))).toBe(true);
    expect(allowed(req({ host: 'gw:3000', origin: 'https://evil.example' }))).toBe(false);
    expect(allowed(req({ host: 'gw:3000', origin: 'null' }))).toBe(false);
    expect(createOriginPolicy(['*'])(req({ host: 'gw', origin: 'https://any.example' }))).toBe(true);
  });

  it('answers 503 while draining and 403 for a foreign origin', () => {
    let draining = false;
    const admit = createAdmission({ originAllowed: allowed, isDraining: () => draining });
    expect(admit(req({ host: 'gw', origin: 'https://evil.example' }))).toMatchObject({ ok: false, status: 403 });
    expect(admit(req({ host: 'gw' }))).toEqual({ ok: true });
    draining = true;
    expect(admit(req({ host: 'gw' }))).toMatchObject({ ok: false, status: 503 });
  });
});

describe('flood guard', () => {
  it('allows a burst, slows a socket down past it, and cuts it off after another burst of ignoring that', () => {
    const guard = createFloodGuard({ perSecond: 10, burst: 5 }, 0);
    const verdicts = Array.from({ length: 11 }, () => guard.take(0));
    expect(verdicts).toEqual([...Array(5).fill('ok'), ...Array(5).fill('slow_down'), 'cut_off']);
  });

  it('forgives a socket that backs off', () => {
    const guard = createFloodGuard({ perSecond: 10, burst: 5 }, 0);
    for (let i = 0; i < 8; i++) guard.take(0);
    expect(guard.take(0)).toBe('slow_down');
    expect(guard.take(1000)).toBe('ok');
    // A steady pace at the allowed rate never trips it.
    for (let t = 1100; t < 5000; t += 100) expect(guard.take(t)).toBe('ok');
  });
});

describe('expiry wheel', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires items once their second is over, with one interval, and honours reschedules and removals', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const expired: string[] = [];
    const wheel = createExpiryWheel<string>({ onExpire: (item) => expired.push(item) });
    wheel.schedule('a', 1_002_500);
    wheel.schedule('b', 1_002_900);
    wheel.schedule('c', 1_003_100);
    wheel.schedule('gone', 1_001_000);
    wheel.remove('gone');
    wheel.schedule('moved', 1_002_000);
    wheel.schedule('moved', 1_010_000);
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(2000);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual(['a', 'b']);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual(['a', 'b', 'c']);
    expect(wheel.size).toBe(1);
    vi.advanceTimersByTime(7000);
    expect(expired).toEqual(['a', 'b', 'c', 'moved']);
    wheel.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('expires at the next tick what is already past due, and survives a long clock jump', () => {
    vi.useFakeTimers({ now: 5_000_000 });
    const expired: string[] = [];
    const wheel = createExpiryWheel<string>({ onExpire: (item) => expired.push(item) });
    wheel.schedule('late', 4_000_000);
    wheel.schedule('far', 5_000_000 + 3_600_000);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual(['late']);
    vi.setSystemTime(5_000_000 + 86_400_000);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual(['late', 'far']);
    wheel.stop();
  });
});

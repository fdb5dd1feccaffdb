import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fullJitterDelay } from '../../src/backoff.ts';

describe('fullJitterDelay', () => {
  const options = { baseMs: 100, capMs: 5000 };

  it('spans [0, base * 2^attempt) with the injected random source', () => {
    expect(fullJitterDelay(0, options, () => 0)).toBe(0);
    expect(fullJitterDelay(0, options, () => 0.5)).toBe(50);
    expect(fullJitterDelay(3, options, () => 0.5)).toBe(400);
    expect(fullJitterDelay(3, options, () => 0.999999)).toBe(799);
  });

  it('never exceeds the cap, for any attempt and random value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const delay = fullJitterDelay(attempt, options, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(options.capMs);
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
  });
});

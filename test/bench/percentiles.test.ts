import { describe, expect, it } from 'vitest';
import { bucketOf, createHistogram, summarize, valueOfBucket } from '../../bench/harness/histogram.ts';

function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

describe('bench latency histogram', () => {
  it('keeps small values exact and maps every bucket back into its own range', () => {
    for (const v of [0, 1, 17, 255, 511]) expect(valueOfBucket(bucketOf(v))).toBe(v);
    for (let v = 512; v < 5_000_000; v = Math.ceil(v * 1.37)) {
      const back = valueOfBucket(bucketOf(v));
      expect(Math.abs(back - v) / v).toBeLessThan(0.004);
      expect(bucketOf(Math.floor(back))).toBe(bucketOf(v));
    }
  });

  it('reports nearest-rank percentiles within 0.4% of the exact ones', () => {
    const values: number[] = [];
    let seed = 7;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      // a long-tailed latency-like distribution between 100 µs and ~200 ms
      values.push(Math.floor(100 + 50 * Math.exp((seed / 2 ** 31) * 8)));
    }
    const h = createHistogram();
    for (const v of values) h.record(v);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = exactPercentile(values, p);
      expect(Math.abs((h.percentile(p) ?? 0) - exact) / exact).toBeLessThan(0.004);
    }
    expect(h.percentile(100)).toBe(Math.max(...values));
  });

  it('merges rounds by adding counts and summarizes in milliseconds', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 1; i <= 500; i++) a.record(i * 10);
    for (let i = 501; i <= 1000; i++) b.record(i * 10);
    const merged = createHistogram(a.data());
    merged.merge(b.data());
    const summary = summarize(merged.data());
    expect(summary.count).toBe(1000);
    expect(summary.p50).toBeCloseTo(5, 1);
    expect(summary.p999).toBeCloseTo(9.99, 1);
    expect(summary.max).toBe(10);
    expect(createHistogram().percentile(50)).toBeNull();
  });
});

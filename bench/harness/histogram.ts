/**
 * An HDR-style latency histogram: values in microseconds, log-linear buckets (each power of two split into
 * 256 linear sub-buckets), so any recorded value is reported within 0.4% while memory stays bounded
 * however many samples a run records. Histograms of interleaved rounds merge by adding counts.
 */
const SUB_BUCKET_BITS = 8;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;

/** A plain-data snapshot of a histogram that crosses the IPC boundary and lands in results JSON. */
export interface HistogramData {
  /** bucket index → count */
  counts: Record<string, number>;
  count: number;
  minUs: number;
  maxUs: number;
  sumUs: number;
}

export interface Histogram {
  record(valueUs: number): void;
  merge(other: HistogramData): void;
  /** Value (µs) at percentile `p` (0..100) by nearest rank; null when empty. */
  percentile(p: number): number | null;
  readonly count: number;
  data(): HistogramData;
}

/** Bucket index of a non-negative integer value. Values below 2 × SUB_BUCKETS are exact. */
export function bucketOf(value: number): number {
  const v = Math.max(0, Math.floor(value));
  if (v < SUB_BUCKETS * 2) return v;
  const magnitude = Math.floor(Math.log2(v)) - SUB_BUCKET_BITS;
  const sub = Math.floor(v / 2 ** magnitude);
  return magnitude * SUB_BUCKETS + sub;
}

/** The value a bucket reports: the middle of the range of values it holds. */
export function valueOfBucket(index: number): number {
  if (index < SUB_BUCKETS * 2) return index;
  const magnitude = Math.floor(index / SUB_BUCKETS) - 1;
  const sub = index - magnitude * SUB_BUCKETS;
  const low = sub * 2 ** magnitude;
  return low + (2 ** magnitude - 1) / 2;
}

export function createHistogram(from?: HistogramData): Histogram {
  const counts = new Map<number, number>();
  let count = 0;
  let minUs = Number.POSITIVE_INFINITY;
  let maxUs = 0;
  let sumUs = 0;

  const histogram: Histogram = {
    record(valueUs) {
      const index = bucketOf(valueUs);
      counts.set(index, (counts.get(index) ?? 0) + 1);
      count++;
      minUs = Math.min(minUs, valueUs);
      maxUs = Math.max(maxUs, valueUs);
      sumUs += valueUs;
    },
    merge(other) {
      for (const [key, n] of Object.entries(other.counts)) {
        const index = Number(key);
        counts.set(index, (counts.get(index) ?? 0) + n);
      }
      count += other.count;
      if (other.count > 0) {
        minUs = Math.min(minUs, other.minUs);
        maxUs = Math.max(maxUs, other.maxUs);
      }
      sumUs += other.sumUs;
    },
    percentile(p) {
      if (count === 0) return null;
      const rank = Math.min(count, Math.max(1, Math.ceil((p / 100) * count)));
      const indexes = [...counts.keys()].sort((a, b) => a - b);
      let seen = 0;
      for (const index of indexes) {
        seen += counts.get(index) ?? 0;
        if (seen >= rank) return Math.min(maxUs, Math.max(minUs, valueOfBucket(index)));
      }
      return maxUs;
    },
    get count() {
      return count;
    },
    data() {
      return {
        counts: Object.fromEntries([...counts.entries()].map(([k, v]) => [String(k), v])),
        count,
        minUs: count === 0 ? 0 : minUs,
        maxUs,
        sumUs,
      };
    },
  };
  if (from) histogram.merge(from);
  return histogram;
}

/** p50 / p99 / p999 in milliseconds, the figures every table row shows. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
  mean: number | null;
}

export function summarize(data: HistogramData): LatencySummary {
  const h = createHistogram(data);
  const toMs = (us: number | null) => (us === null ? null : us / 1000);
  return {
    count: h.count,
    p50: toMs(h.percentile(50)),
    p99: toMs(h.percentile(99)),
    p999: toMs(h.percentile(99.9)),
    max: h.count === 0 ? null : data.maxUs / 1000,
    mean: h.count === 0 ? null : data.sumUs / h.count / 1000,
  };
}

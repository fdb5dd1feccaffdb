import { poll, TimeoutError } from '../../support/timing.ts';

/** Percentile of a list of numbers (nearest-rank); null for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? null;
}

/** The largest share of `times` that falls into any window of `windowMs` (0 for no times). */
export function maxShareInWindow(times: readonly number[], windowMs: number): number {
  if (times.length === 0) return 0;
  const sorted = [...times].sort((x, y) => x - y);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best / sorted.length;
}

export function ms(value: number | null): string {
  if (value === null) return '-';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

export { pause } from '../../support/timing.ts';

/** Polls `probe` until it returns true or `timeoutMs` passes; returns the time it took, or null on timeout. */
export async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 25): Promise<number | null> {
  const start = Date.now();
  return poll(probe, { what: 'condition', timeoutMs, everyMs }).then(
    () => Date.now() - start,
    (err: unknown) => {
      if (err instanceof TimeoutError) return null;
      throw err;
    },
  );
}

import { summarize } from '../harness/histogram.ts';
import type { Throughput, ThroughputStep } from '../report/types.ts';
import type { RowId } from '../systems.ts';
import { fmtMs, rotate } from './common.ts';
import type { BenchContext } from './context.ts';
import { pacedSlice, type PairSet } from './latency.ts';

export const P99_LIMIT_MS = 50;

/**
 * Maximum sustained throughput: every system steps through the same offered rates (interleaved per level)
 * until p99 passes 50 ms, a change is lost or refused, or the generator cannot offer the rate.
 */
export async function measureThroughput(ctx: BenchContext, sets: PairSet[]): Promise<Map<RowId, Throughput>> {
  const out = new Map<RowId, Throughput>(sets.map((s) => [s.row, { maxRate: null, stoppedBy: null, steps: [] }]));
  let alive = [...sets];
  let level = 0;
  for (const rate of ctx.sizes.throughputLevels) {
    if (alive.length === 0) break;
    const warmupMs = Math.min(500, ctx.sizes.throughputSliceMs / 4);
    for (const set of rotate(alive, level)) {
      const entry = out.get(set.row);
      if (!entry) continue;
      const { result } = await pacedSlice(ctx, set, rate, ctx.sizes.throughputSliceMs + warmupMs, warmupMs);
      const p99 = summarize(result.latency).p99;
      const failed = Object.values(result.failed).reduce((x, y) => x + y, 0);
      // Loss and p99 judge the system; a generator that could not offer the rate (the box is shared by the
      // system under test and the load process) makes the step inconclusive: the max is then a lower bound.
      const verdict: ThroughputStep['verdict'] =
        result.lost > 0 || failed > 0 ? 'loss' : p99 === null || p99 > P99_LIMIT_MS ? 'p99' : result.achievedRate < rate * 0.95 ? 'load-bound' : 'ok';
      entry.steps.push({ rate, achievedRate: Math.round(result.achievedRate), p99, lost: result.lost, failed, verdict });
      if (verdict === 'ok') entry.maxRate = rate;
      else {
        entry.stoppedBy = verdict;
        alive = alive.filter((s) => s !== set);
      }
      ctx.progress(
        `through. ${set.row.padEnd(12)} ${String(rate).padStart(6)}/s: p99 ${fmtMs(p99)} ms, sent at ${Math.round(result.achievedRate)}/s${result.lost ? `, ${result.lost} lost` : ''}${failed ? `, ${failed} failed` : ''} → ${verdict}`,
      );
    }
    level++;
  }
  for (const set of alive) {
    const entry = out.get(set.row);
    if (entry && entry.stoppedBy === null) entry.stoppedBy = 'ceiling';
  }
  return out;
}

import type { Deployment } from '../harness/deployment.ts';
import { createHistogram, summarize, type Histogram } from '../harness/histogram.ts';
import { benchId } from '../harness/load-process.ts';
import { watchProcesses } from '../harness/proc-stats.ts';
import { waitQuiet } from '../harness/quiet.ts';
import type { PacedResult } from '../load/paced.ts';
import type { LatencyAtRate } from '../report/types.ts';
import type { RowId } from '../systems.ts';
import { connectAll, fmtMs, rotate, systemPids } from './common.ts';
import type { BenchContext } from './context.ts';

export interface PairSet {
  row: RowId;
  deployment: Deployment;
  flows: Array<{ sender: string; receivers: number }>;
}

/** `pairs` users, each with device A on node 1 (the sender) and device B on node 2. */
export async function connectPairs(ctx: BenchContext, row: RowId, deployment: Deployment): Promise<PairSet> {
  const [url1, url2] = deployment.urls;
  if (!url1 || !url2) throw new Error('pairs need two nodes');
  const n = ctx.sizes.pairs;
  const devices = Array.from({ length: n }, (_, i) => [
    { userId: benchId('p', row, i), deviceId: benchId('pa', i), url: url1 },
    { userId: benchId('p', row, i), deviceId: benchId('pb', i), url: url2 },
  ]).flat();
  // Device ids are per user in the product, but the load process keys devices globally: make them unique.
  for (const d of devices) d.deviceId = `${d.deviceId}-${row}`;
  const outcome = await connectAll(ctx, row, `pairs-${row}`, devices, 50);
  ctx.progress(`connect  ${row.padEnd(12)} ${devices.length} devices in ${(outcome.ms / 1000).toFixed(1)} s`);
  const flows = Array.from({ length: n }, (_, i) => ({ sender: `${benchId('pa', i)}-${row}`, receivers: 1 }));
  return { row, deployment, flows };
}

/** One paced slice on one system, with the CPU its processes used. */
export async function pacedSlice(
  ctx: BenchContext,
  set: PairSet,
  rate: number,
  durationMs: number,
  warmupMs: number,
): Promise<{ result: PacedResult; cpuMs: number; cpuByRole: Record<string, number> }> {
  const pids = systemPids(set.deployment);
  await waitQuiet(ctx.benchPids(), { maxCores: ctx.idleCores + 0.1 });
  const watch = watchProcesses(pids);
  const result = await ctx.load(set.row).paced({ flows: set.flows, rate, durationMs, warmupMs, drainMs: ctx.sizes.drainMs });
  const usage = watch.stop();
  const cpuMs = Object.values(usage).reduce((sum, u) => sum + u.cpuMs, 0);
  // Roles rather than process names, so rounds and rows line up: the sender's node, the receiver's, Redis.
  const [n1, n2] = set.deployment.nodes;
  const cpuByRole = {
    node1: (n1 && usage[n1.name]?.cpuMs) || 0,
    node2: (n2 && usage[n2.name]?.cpuMs) || 0,
    redis: usage.redis?.cpuMs ?? 0,
  };
  return { result, cpuMs, cpuByRole };
}

/**
 * Device-to-device latency at each fixed rate: rounds of one slice per system, the order rotating every
 * round, histograms merged per system (so minute-scale drift of the machine hits every system alike).
 */
export async function measureLatency(ctx: BenchContext, sets: PairSet[]): Promise<Map<RowId, Record<string, LatencyAtRate>>> {
  const out = new Map<RowId, Record<string, LatencyAtRate>>();
  for (const rate of ctx.sizes.latencyRates) {
    const acc = new Map<RowId, { latency: Histogram; ack: Histogram; sent: number; lost: number; failed: Record<string, number>; cpuMs: number; cpuByRole: Record<string, number>; lag: number }>();
    for (let round = 0; round < ctx.sizes.latencyRounds; round++) {
      for (const set of rotate(sets, round)) {
        const { result, cpuMs, cpuByRole } = await pacedSlice(ctx, set, rate, ctx.sizes.latencySliceMs + ctx.sizes.warmupMs, ctx.sizes.warmupMs);
        let a = acc.get(set.row);
        if (!a) {
          a = { latency: createHistogram(), ack: createHistogram(), sent: 0, lost: 0, failed: {}, cpuMs: 0, cpuByRole: {}, lag: 0 };
          acc.set(set.row, a);
        }
        a.latency.merge(result.latency);
        a.ack.merge(result.ack);
        a.sent += result.sent;
        a.lost += result.lost;
        for (const [code, n] of Object.entries(result.failed)) a.failed[code] = (a.failed[code] ?? 0) + n;
        a.cpuMs += cpuMs;
        for (const [role, ms] of Object.entries(cpuByRole)) a.cpuByRole[role] = (a.cpuByRole[role] ?? 0) + ms;
        a.lag = Math.max(a.lag, result.sendLagP99Ms);
        const s = summarize(result.latency);
        const failed = Object.values(result.failed).reduce((x, y) => x + y, 0);
        ctx.progress(
          `latency  ${set.row.padEnd(12)} ${String(rate).padStart(5)}/s round ${round + 1}/${ctx.sizes.latencyRounds}: p50 ${fmtMs(s.p50)} p99 ${fmtMs(s.p99)} p999 ${fmtMs(s.p999)} ms (${s.count} measured${result.lost ? `, ${result.lost} LOST` : ''}${failed ? `, ${failed} FAILED` : ''}, ${((cpuMs / result.sent) * 1000).toFixed(0)} cpu-ms/1k)`,
        );
      }
    }
    for (const [row, a] of acc) {
      const entry: LatencyAtRate = {
        rate,
        latency: summarize(a.latency.data()),
        ack: a.ack.count > 0 ? summarize(a.ack.data()) : null,
        sent: a.sent,
        lost: a.lost,
        failed: a.failed,
        cpuMsPer1k: (a.cpuMs / Math.max(1, a.sent)) * 1000,
        cpuMsPer1kByRole: Object.fromEntries(Object.entries(a.cpuByRole).map(([role, ms]) => [role, (ms / Math.max(1, a.sent)) * 1000])),
        sendLagP99Ms: a.lag,
      };
      out.set(row, { ...(out.get(row) ?? {}), [String(rate)]: entry });
    }
  }
  return out;
}

import { summarize } from '../harness/histogram.ts';
import { benchId } from '../harness/load-process.ts';
import type { FailoverSummary } from '../report/types.ts';
import { BENCH_JWT_SECRET } from '../systems.ts';
import { fmtMs } from './common.ts';
import type { BenchContext } from './context.ts';

/**
 * Failover of our product: three nodes; `failoverDevices` users each have a device on node 1 and one on
 * node 2 or 3. kill -9 of node 1; its devices reconnect to the survivors with the SDK's backoff while their
 * partners keep writing, and sync from their last version.
 */
export async function measureFailover(ctx: BenchContext): Promise<FailoverSummary> {
  const deployment = await ctx.deploy('product', 3, 'product-failover');
  try {
    const [victim, n2, n3] = deployment.nodes;
    const [u1, u2, u3] = deployment.urls;
    if (!victim || !n2 || !n3 || !u1 || !u2 || !u3) throw new Error('failover needs three nodes');
    const n = ctx.sizes.failoverDevices;
    const result = await ctx.load('product').failover({
      product: { jwtSecret: BENCH_JWT_SECRET },
      victims: Array.from({ length: n }, (_, i) => ({ userId: benchId('f', i), deviceId: benchId('fa', i), url: u1 })),
      partners: Array.from({ length: n }, (_, i) => ({ userId: benchId('f', i), deviceId: benchId('fb', i), url: i % 2 === 0 ? u2 : u3 })),
      victimPid: victim.pid,
      survivorUrls: [u2, u3],
      missedPerUser: ctx.sizes.failoverMissedPerUser,
      timeoutMs: 20_000,
      concurrency: 50,
      survivorPids: { [n2.name]: n2.pid, [n3.name]: n3.pid },
    });
    const summary: FailoverSummary = {
      devices: result.devices,
      reconnected: result.reconnected,
      caughtUp: result.caughtUp,
      reconnectMs: summarize(result.reconnect),
      catchUpMs: summarize(result.catchUp),
      phasesMs: {
        dropped: summarize(result.phases.dropped),
        backoff: summarize(result.phases.backoff),
        handshake: summarize(result.phases.handshake),
        sync: summarize(result.phases.sync),
      },
      recoveredChanges: result.recoveredChanges,
      snapshots: result.snapshots,
      partnerWrites: result.partnerWrites,
      partnerFailures: result.partnerFailures,
      connectFailures: result.connectFailures,
      errors: result.errors,
      cpuMs: result.cpuMs,
    };
    ctx.progress(
      `failover product      ${summary.caughtUp}/${summary.devices} caught up: p50 ${fmtMs(summary.catchUpMs.p50)} p99 ${fmtMs(summary.catchUpMs.p99)} max ${fmtMs(summary.catchUpMs.max)} ms; reconnect p99 ${fmtMs(summary.reconnectMs.p99)} ms; ${summary.recoveredChanges} changes recovered, ${summary.snapshots} snapshots, ${summary.connectFailures} failed attempts; p50/p99 of drop seen ${fmtMs(summary.phasesMs.dropped.p50)}/${fmtMs(summary.phasesMs.dropped.p99)}, backoff ${fmtMs(summary.phasesMs.backoff.p50)}/${fmtMs(summary.phasesMs.backoff.p99)}, handshake ${fmtMs(summary.phasesMs.handshake.p50)}/${fmtMs(summary.phasesMs.handshake.p99)}, sync ${fmtMs(summary.phasesMs.sync.p50)}/${fmtMs(summary.phasesMs.sync.p99)} ms; CPU after the kill: ${Object.entries(summary.cpuMs).map(([n, ms]) => `${n} ${ms} ms`).join(', ')}`,
    );
    return summary;
  } finally {
    await deployment.stop();
  }
}

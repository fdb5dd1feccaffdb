import { benchId } from '../harness/load-process.ts';
import { waitQuiet } from '../harness/quiet.ts';
import type { MemoryLevel } from '../report/types.ts';
import type { Deployment } from '../harness/deployment.ts';
import type { RowId } from '../systems.ts';
import { connectAll, redisUsedMemory, systemPids } from './common.ts';
import type { BenchContext } from './context.ts';

/**
 * Memory per idle connection: a fresh node (after a warm-up that loads every code path), then idle
 * devices of distinct users connected to it in steps; growth after forced GCs, divided by connections.
 * For our product each connection is authenticated (JWT) and synced, as a real device would be.
 */
export async function measureMemory(ctx: BenchContext, row: RowId, deployment: Deployment): Promise<MemoryLevel[]> {
  {
    const node = deployment.nodes[0];
    const url = deployment.urls[0];
    if (!node || !url) throw new Error('no node');
    const spec = (prefix: string) => (i: number) => ({ userId: benchId('m', prefix, i), deviceId: benchId('md', prefix, i), url });
    await connectAll(ctx, row, 'mem-warm', Array.from({ length: 50 }, (_, i) => spec('w')(i)));
    await ctx.load(row).close('mem-warm');
    const pids = Object.values(systemPids(deployment));
    await waitQuiet(pids);
    const base = await node.mem(true);
    const redisBase = await redisUsedMemory(deployment.redis.url);
    const levels: MemoryLevel[] = [];
    let connected = 0;
    for (const target of ctx.sizes.memoryLevels) {
      const specs = Array.from({ length: target - connected }, (_, i) => spec('c')(connected + i));
      const outcome = await connectAll(ctx, row, 'mem', specs, 100);
      connected = target;
      await waitQuiet(pids, { timeoutMs: 6_000 });
      const now = await node.mem(true);
      const redisNow = await redisUsedMemory(deployment.redis.url);
      const first = levels[0];
      const slope = (bytes: number, firstBytes: number | undefined, baseBytes: number) =>
        first ? (bytes - (firstBytes ?? 0)) / 1024 / (target - first.connections) : (bytes - baseBytes) / 1024 / target;
      const level: MemoryLevel = {
        connections: target,
        rssKBPerConn: (now.rss - base.rss) / 1024 / target,
        heapKBPerConn: (now.heapUsed - base.heapUsed) / 1024 / target,
        rssKBPerConnSlope: slope(now.rss, first?.rssBytes, base.rss),
        heapKBPerConnSlope: slope(now.heapUsed, first?.heapBytes, base.heapUsed),
        rssBytes: now.rss,
        heapBytes: now.heapUsed,
        redisKBPerConn: (redisNow - redisBase) / 1024 / target,
        connectMs: outcome.ms,
      };
      levels.push(level);
      ctx.progress(
        `memory   ${row.padEnd(12)} ${String(target).padStart(6)} conns: ${level.rssKBPerConn.toFixed(1)} KB RSS, ${level.heapKBPerConn.toFixed(1)} KB heap, ${level.redisKBPerConn.toFixed(2)} KB redis per conn; slope ${level.rssKBPerConnSlope.toFixed(1)} KB RSS, ${level.heapKBPerConnSlope.toFixed(1)} KB heap (connected in ${(outcome.ms / 1000).toFixed(1)} s)`,
      );
    }
    await ctx.load(row).close('mem');
    // Every node must have finished processing the disconnects before the next step connects its devices.
    const drainedMs = await waitQuiet(pids, { timeoutMs: 60_000 });
    ctx.progress(`memory   ${row.padEnd(12)} ${connected} disconnects processed in ${(drainedMs / 1000).toFixed(1)} s`);
    return levels;
  }
}

import { summarize } from '../harness/histogram.ts';
import { benchId } from '../harness/load-process.ts';
import { watchProcesses } from '../harness/proc-stats.ts';
import { waitQuiet } from '../harness/quiet.ts';
import type { FanoutSummary } from '../report/types.ts';
import type { RowId } from '../systems.ts';
import { connectAll, fmtMs, systemPids } from './common.ts';
import type { BenchContext } from './context.ts';

const NODES = 4;

/**
 * Fan-out on four nodes. (a) One user with many devices spread over all nodes: latency until the last
 * device has a change. (b) Many users with devices on nodes 1-2, other users idle on nodes 3-4: what the
 * bystander nodes 3-4 read from Redis and burn in CPU for traffic that is not theirs.
 */
export async function measureFanout(ctx: BenchContext, row: RowId): Promise<FanoutSummary> {
  const deployment = await ctx.deploy(row, NODES, `${row}-fanout`);
  try {
    const { urls, nodes } = deployment;
    const at = (i: number) => urls[i % NODES] ?? '';
    const pids = Object.values(systemPids(deployment));
    const s = ctx.sizes;

    // (a) one user, many devices
    const oneUser = benchId('fan1', row);
    const devices = Array.from({ length: s.fanoutDevices }, (_, i) => ({ userId: oneUser, deviceId: benchId('fd', i, row), url: at(i) }));
    await connectAll(ctx, row, 'fan-one', devices, 20);
    await waitQuiet(pids);
    const sender = devices[0]?.deviceId ?? '';
    const rate = 20;
    const one = await ctx.load(row).paced({
      flows: [{ sender, receivers: s.fanoutDevices - 1 }],
      rate,
      durationMs: (s.fanoutChanges / rate) * 1000 + 500,
      warmupMs: 500,
      drainMs: s.drainMs,
    });
    await ctx.load(row).close('fan-one');
    const lastDevice = summarize(one.latency);
    ctx.progress(`fan-out  ${row.padEnd(12)} 1 user × ${s.fanoutDevices} devices on ${NODES} nodes: last device p50 ${fmtMs(lastDevice.p50)} p99 ${fmtMs(lastDevice.p99)} ms${one.lost ? `, ${one.lost} lost` : ''}`);

    // (b) many users on nodes 1-2, bystanders on nodes 3-4
    const active = Array.from({ length: s.fanoutUsers }, (_, i) => [
      { userId: benchId('fa', row, i), deviceId: benchId('faa', i, row), url: at(0) },
      { userId: benchId('fa', row, i), deviceId: benchId('fab', i, row), url: at(1) },
    ]).flat();
    const idle = Array.from({ length: s.fanoutIdleUsers }, (_, i) => [
      { userId: benchId('fi', row, i), deviceId: benchId('fia', i, row), url: at(2) },
      { userId: benchId('fi', row, i), deviceId: benchId('fib', i, row), url: at(3) },
    ]).flat();
    await connectAll(ctx, row, 'fan-many', [...active, ...idle], 50);
    await waitQuiet(pids);
    const bystanders = nodes.slice(2);
    await Promise.all(bystanders.map((n) => n.redisCount(true)));
    const watch = watchProcesses(Object.fromEntries(bystanders.map((n) => [n.name, n.pid])));
    const many = await ctx.load(row).paced({
      flows: Array.from({ length: s.fanoutUsers }, (_, i) => ({ sender: benchId('faa', i, row), receivers: 1 })),
      rate: s.fanoutRate,
      durationMs: s.fanoutSliceMs + s.warmupMs,
      warmupMs: s.warmupMs,
      drainMs: s.drainMs,
    });
    const cpu = watch.stop();
    const counts = await Promise.all(bystanders.map((n) => n.redisCount(false)));
    await ctx.load(row).close('fan-many');
    const foreignMessages = counts.reduce((sum, c) => sum + c.messages, 0);
    const foreignBytes = counts.reduce((sum, c) => sum + c.bytes, 0);
    const foreignCpu = Object.values(cpu).reduce((sum, c) => sum + c.cpuMs, 0);
    const latency = summarize(many.latency);
    const summary: FanoutSummary = {
      nodes: NODES,
      oneUser: { devices: s.fanoutDevices, changes: one.sent, lastDevice, lost: one.lost },
      manyUsers: {
        users: s.fanoutUsers,
        rate: s.fanoutRate,
        latency,
        lost: many.lost,
        changes: many.sent,
        foreignDeliveriesPerChange: foreignMessages / Math.max(1, many.sent),
        foreignBytesPerChange: foreignBytes / Math.max(1, many.sent),
        foreignCpuMsPer1k: (foreignCpu / Math.max(1, many.sent)) * 1000,
      },
    };
    ctx.progress(
      `fan-out  ${row.padEnd(12)} ${s.fanoutUsers} users at ${s.fanoutRate}/s: p50 ${fmtMs(latency.p50)} p99 ${fmtMs(latency.p99)} ms; bystander nodes read ${summary.manyUsers.foreignDeliveriesPerChange.toFixed(2)} msgs (${Math.round(summary.manyUsers.foreignBytesPerChange)} B) and ${summary.manyUsers.foreignCpuMsPer1k.toFixed(0)} cpu-ms per 1k changes`,
    );
    return summary;
  } finally {
    await deployment.stop();
  }
}

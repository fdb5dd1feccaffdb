import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monotonicUs, summarizeProfile } from '../harness/cpu-profile.ts';
import type { ProfileSummary } from '../report/types.ts';
import type { RowId } from '../systems.ts';
import type { BenchContext } from './context.ts';
import { waitQuiet } from '../harness/quiet.ts';
import { connectPairs } from './latency.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a row's two nodes under `--cpu-prof` at a steady rate and summarizes where their CPU went. */
export async function profileRow(ctx: BenchContext, row: RowId, rate: number): Promise<ProfileSummary> {
  const dir = join(ctx.logDir, 'profiles');
  const deployment = await ctx.deploy(row, 2, `${row}-prof`, { cpuProfDir: dir });
  let window = { fromUs: 0, toUs: 0 };
  let stopped = false;
  try {
    const set = await connectPairs(ctx, row, deployment);
    await waitQuiet(ctx.benchPids());
    const warmupMs = 1_000;
    const startUs = monotonicUs();
    window = { fromUs: startUs + warmupMs * 1000, toUs: startUs + (warmupMs + ctx.sizes.profileMs) * 1000 };
    const result = await ctx.load(row).paced({ flows: set.flows, rate, durationMs: warmupMs + ctx.sizes.profileMs, warmupMs, drainMs: ctx.sizes.drainMs });
    ctx.progress(`profile  ${row.padEnd(12)} ${result.sent} changes at ${rate}/s under --cpu-prof`);
    await ctx.load(row).close(`pairs-${row}`);
    await deployment.stop();
    stopped = true;
    const nodes: ProfileSummary['nodes'] = [];
    deployment.nodes.forEach((node, i) => {
      // Every thread writes a profile (tsx's module loader runs in a worker): keep the busiest in the window.
      const nodeDir = join(dir, node.name);
      if (!existsSync(nodeDir)) return;
      const best = readdirSync(nodeDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => ({ file: join(nodeDir, f), ...summarizeProfile(join(nodeDir, f), ROOT, window) }))
        .sort((a, b) => b.busyMs - a.busyMs)[0];
      if (best) nodes.push({ name: node.name, role: i === 0 ? 'receives the mutations' : 'delivers the changes', ...best });
    });
    return { row, rate, seconds: ctx.sizes.profileMs / 1000, nodes };
  } finally {
    if (!stopped) await deployment.stop();
  }
}

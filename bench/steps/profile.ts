import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from '../harness/cpu-profile.ts';
import type { ProfileSummary } from '../report/types.ts';
import type { RowId } from '../systems.ts';
import type { BenchContext } from './context.ts';
import { connectPairs, pacedSlice } from './latency.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a row's two nodes under `--cpu-prof` at a steady rate and summarizes where their CPU went. */
export async function profileRow(ctx: BenchContext, row: RowId, rate: number): Promise<ProfileSummary> {
  const dir = join(ctx.logDir, 'profiles');
  const deployment = await ctx.deploy(row, 2, `${row}-prof`, { cpuProfDir: dir });
  let stopped = false;
  try {
    const set = await connectPairs(ctx, row, deployment);
    const { result } = await pacedSlice(ctx, set, rate, ctx.sizes.profileMs, 500);
    ctx.progress(`profile  ${row.padEnd(12)} ${result.sent} changes at ${rate}/s under --cpu-prof`);
    await ctx.load.close(`pairs-${row}`);
    await deployment.stop();
    stopped = true;
    const nodes: ProfileSummary['nodes'] = [];
    deployment.nodes.forEach((node, i) => {
      const file = join(dir, `${node.name}.cpuprofile`);
      if (!existsSync(file)) return;
      const summary = summarizeProfile(file, ROOT);
      nodes.push({ name: node.name, role: i === 0 ? 'receives the mutations' : 'delivers the changes', file, ...summary });
    });
    return { row, rate, seconds: ctx.sizes.profileMs / 1000, nodes };
  } finally {
    if (!stopped) await deployment.stop();
  }
}

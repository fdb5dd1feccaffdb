/** The bench run's setup: sizes that fit the machine, the log folder, the load processes and the context. */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from '../test/support/cleanup.ts';
import type { CliOptions } from './cli.ts';
import { deploy, type Deployment } from './harness/deployment.ts';
import { readFdLimits, type FdLimits } from './harness/fd-limit.ts';
import { startLoadProcess, type LoadProcess } from './harness/load-process.ts';
import type { BenchResults } from './report/types.ts';
import { FULL, QUICK, type BenchContext, type Sizes } from './steps/context.ts';
import { SYSTEMS, type RowId } from './systems.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function machine(fdSoft: number): BenchResults['machine'] {
  let redis = 'unknown';
  try {
    redis = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? redis;
  } catch {
    // reported as unknown
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis,
    os: `${platform()} ${release()}`,
    fdSoft,
  };
}

export function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Keeps the logs of the last few runs under .tmp/bench. */
export function pruneOldRuns(root: string, keep: number): void {
  try {
    const runs = readdirSync(root).sort();
    for (const old of runs.slice(0, Math.max(0, runs.length - keep))) rmSync(join(root, old), { recursive: true, force: true });
  } catch {
    // nothing to prune
  }
}


export interface RunPlan {
  sizes: Sizes;
  notes: string[];
  fdLimits: FdLimits;
  fdNeeded: number;
}

/** The mode's sizes, cut down to what the open-file limit allows (with a note saying so). */
export function planSizes(options: CliOptions, log: (line: string) => void): RunPlan {
  const sizes = { ...(options.quick ? QUICK : FULL) };
  if (options.rates) sizes.latencyRates = options.rates;
  const notes: string[] = [];
  const fdLimits = readFdLimits();
  const wantConns = options.steps.includes('memory') ? Math.max(...sizes.memoryLevels) : sizes.pairs * 2;
  const fdNeeded = wantConns + 2_000;
  if (Math.max(fdLimits.soft, fdLimits.hard) < fdNeeded) {
    const fits = sizes.memoryLevels.filter((n) => n + 2_000 <= fdLimits.hard);
    sizes.memoryLevels = fits.length > 0 ? fits : [Math.max(100, fdLimits.hard - 2_000)];
    notes.push(`open-file limit ${fdLimits.soft}/${fdLimits.hard} (soft/hard): memory measured at ${sizes.memoryLevels.join(', ')} connections only; raise it with \`ulimit -n ${fdNeeded}\``);
    log(`WARNING: ${notes.at(-1)}`);
  } else if (fdLimits.soft < fdNeeded) {
    log(`open-file limit ${fdLimits.soft}: children get ${Math.min(fdNeeded, fdLimits.hard)} (hard limit ${fdLimits.hard})`);
  }

  return { sizes, notes, fdLimits, fdNeeded };
}

/** Starts one load process per row and builds the context every step measures through. */
export async function createRunContext(
  options: CliOptions,
  plan: RunPlan,
  run: { cleanup: Cleanup; logDir: string; log: (line: string) => void },
): Promise<{ ctx: BenchContext; loads: Map<RowId, LoadProcess> }> {
  const { sizes, fdLimits, fdNeeded } = plan;
  const { cleanup, logDir, log } = run;
  const loads = new Map<RowId, LoadProcess>();
  await Promise.all(
    options.rows.map(async (row) => {
      loads.set(row, await startLoadProcess({ name: `load-${row}`, cleanup, logDir, fdLimits, fdNeeded }));
    }),
  );
  const running = new Set<Deployment>();
  const ctx: BenchContext = {
    sizes,
    quick: options.quick,
    rows: options.rows,
    cleanup,
    load(row) {
      const load = loads.get(row);
      if (!load) throw new Error(`no load process for ${row}`);
      return load;
    },
    logDir,
    fdLimits,
    fdNeeded,
    fsync: options.fsync,
    idleCores: 0.05,
    progress: log,
    benchPids: () => [
      ...[...loads.values()].map((l) => l.process.pid),
      ...[...running].flatMap((d) => [...d.nodes.filter((n) => n.child.exitCode === null).map((n) => n.pid), ...(d.redis.pid ? [d.redis.pid] : [])]),
    ],
    async deploy(row, nodes, tag, extra) {
      const deployment = await deploy(SYSTEMS[row], { nodes, cleanup, logDir, fdLimits, fdNeeded, fsync: options.fsync, tag, ...(extra?.cpuProfDir ? { cpuProfDir: extra.cpuProfDir } : {}), ...(extra?.env ? { env: extra.env } : {}) });
      running.add(deployment);
      return {
        ...deployment,
        stop: async () => {
          running.delete(deployment);
          await deployment.stop();
        },
      };
    },
  };

  return { ctx, loads };
}

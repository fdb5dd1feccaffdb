/**
 * `npm run bench`: the product next to its baselines, measured in one run on this machine.
 * See `--help` (bench/cli.ts) for the options and bench/README.md for what each figure means.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELP, parseCli, type CliOptions } from './cli.ts';
import { deploy, type Deployment } from './harness/deployment.ts';
import { readFdLimits } from './harness/fd-limit.ts';
import { startLoadProcess, type LoadProcess } from './harness/load-process.ts';
import { coresUsed } from './harness/quiet.ts';
import { createCleanup, runCleanupOnSignals, type Cleanup } from '../test/support/cleanup.ts';
import { writeResults } from './report/results.ts';
import { detailTables, headlineTable, profileTable } from './report/table.ts';
import { slowLinkTable } from './report/slow-link-table.ts';
import type { BenchResults, RowResult } from './report/types.ts';
import { errorText } from './steps/common.ts';
import { FULL, QUICK, type BenchContext } from './steps/context.ts';
import { measureFailover } from './steps/failover.ts';
import { measureFanout } from './steps/fanout.ts';
import { connectPairs, measureLatency, type PairSet } from './steps/latency.ts';
import { measureMemory } from './steps/memory.ts';
import { profileRow } from './steps/profile.ts';
import { measureSdkCpu } from './steps/sdk-cpu.ts';
import { measureSlowLink } from './steps/slow-link.ts';
import { measureStartup } from './steps/startup.ts';
import { measureThroughput } from './steps/throughput.ts';
import { REFERENCE_ROW, SYSTEMS, type RowId } from './systems.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();
const log = (line: string) => process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);

function machine(fdSoft: number): BenchResults['machine'] {
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

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Keeps the logs of the last few runs under .tmp/bench. */
function pruneOldRuns(root: string, keep: number): void {
  try {
    const runs = readdirSync(root).sort();
    for (const old of runs.slice(0, Math.max(0, runs.length - keep))) rmSync(join(root, old), { recursive: true, force: true });
  } catch {
    // nothing to prune
  }
}

async function main(options: CliOptions, cleanup: Cleanup): Promise<number> {
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

  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const logRoot = join(ROOT, '.tmp', 'bench');
  pruneOldRuns(logRoot, 5);
  const logDir = join(logRoot, runId);
  const startedAt = new Date().toISOString();
  log(`bench ${options.profile ? 'profile' : options.quick ? 'quick' : 'full'} run: rows ${options.rows.join(', ')}; logs in ${logDir}`);

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
      const deployment = await deploy(SYSTEMS[row], { nodes, cleanup, logDir, fdLimits, fdNeeded, fsync: options.fsync, tag, ...(extra?.cpuProfDir ? { cpuProfDir: extra.cpuProfDir } : {}) });
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

  const rows = new Map<RowId, RowResult>(
    options.rows.map((id) => [id, { id, label: SYSTEMS[id].label, latency: {}, throughput: null, memory: [], failover: null, fanout: null, errors: [] }]),
  );
  const fail = (row: RowId, step: string, err: unknown) => {
    const text = `${step}: ${errorText(err)}`;
    rows.get(row)?.errors.push(text);
    log(`ERROR ${row} ${text}`);
  };

  let profile: BenchResults['profile'] = null;
  let startup: BenchResults['startup'] = null;
  let slowLink: BenchResults['slowLink'] = null;
  let sdkCpu: BenchResults['sdkCpu'] = null;
  if (!options.profile && options.steps.includes('startup') && rows.has('product')) {
    try {
      startup = await measureStartup(ctx);
    } catch (err) {
      fail('product', 'startup', err);
    }
  }
  if (options.profile) {
    const row = options.rows.length === 1 ? (options.rows[0] ?? 'product') : 'product';
    try {
      profile = await profileRow(ctx, row, options.profileRate);
    } catch (err) {
      fail(row, 'profile', err);
    }
  } else {
    const measuresLoad = options.steps.includes('latency') || options.steps.includes('throughput');
    if (measuresLoad || options.steps.includes('memory')) {
      // One two-node deployment per row: memory is measured on its fresh node 1 first, then the pairs connect.
      const deployments: Deployment[] = [];
      const sets: PairSet[] = [];
      for (const row of options.rows) {
        let deployment: Deployment;
        try {
          deployment = await ctx.deploy(row, 2, row);
          deployments.push(deployment);
        } catch (err) {
          fail(row, 'deploy', err);
          continue;
        }
        // The SDK row runs the same server as the product row: its memory per connection is the product's.
        if (options.steps.includes('memory') && row !== 'product-sdk') {
          try {
            rows.get(row)!.memory = await measureMemory(ctx, row, deployment);
          } catch (err) {
            fail(row, 'memory', err);
          }
        }
        if (!measuresLoad) continue;
        try {
          sets.push(await connectPairs(ctx, row, deployment));
        } catch (err) {
          fail(row, 'connect', err);
        }
      }
      ctx.idleCores = await coresUsed(ctx.benchPids(), 1_500);
      log(`idle     all rows connected: the bench's processes use ${ctx.idleCores.toFixed(2)} cores with nothing offered`);
      try {
        if (options.steps.includes('latency')) {
          for (const [row, latency] of await measureLatency(ctx, sets)) rows.get(row)!.latency = latency;
        }
        if (options.steps.includes('throughput')) {
          for (const [row, throughput] of await measureThroughput(ctx, sets)) rows.get(row)!.throughput = throughput;
        }
      } catch (err) {
        for (const set of sets) fail(set.row, 'latency/throughput', err);
      }
      for (const set of sets) await ctx.load(set.row).close(`pairs-${set.row}`).catch(() => undefined);
      for (const deployment of deployments) await deployment.stop();
    }

    if (options.steps.includes('failover') && rows.has('product')) {
      try {
        rows.get('product')!.failover = await measureFailover(ctx);
      } catch (err) {
        fail('product', 'failover', err);
      }
    }

    if (options.steps.includes('slow-link') && rows.has('product')) {
      try {
        slowLink = await measureSlowLink(ctx);
      } catch (err) {
        fail('product', 'slow-link', err);
      }
    }

    if (options.steps.includes('sdk-cpu') && rows.has('product')) {
      try {
        sdkCpu = await measureSdkCpu(ctx);
      } catch (err) {
        fail('product', 'sdk-cpu', err);
      }
    }

    if (options.steps.includes('fanout')) {
      // Quick: the classic adapter against the product (dynamic sharded) is the comparison that matters.
      const fanoutRows = options.rows.filter((r) => r !== 'product-sdk' && (!options.quick || r === 'sio-classic' || r === 'product'));
      for (const row of fanoutRows) {
        try {
          rows.get(row)!.fanout = await measureFanout(ctx, row);
        } catch (err) {
          fail(row, 'fanout', err);
        }
      }
    }
  }

  await Promise.all([...loads.values()].map((l) => l.process.stop()));
  const results: BenchResults = {
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: options.profile ? 'profile' : options.quick ? 'quick' : 'full',
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    commit: commit(),
    machine: machine(fdLimits.soft),
    settings: { ...sizes, fsync: options.fsync, steps: options.steps },
    reference: REFERENCE_ROW,
    rows: options.profile ? [] : [...rows.values()],
    profile,
    startup,
    slowLink,
    sdkCpu,
    notes,
  };

  process.stdout.write('\n');
  if (profile) process.stdout.write(`${profileTable(results)}\n`);
  else {
    process.stdout.write(`${headlineTable(results)}\n\n`);
    process.stdout.write(`latency in ms (device A on node 1 → device B on node 2, paced over ${sizes.pairs} users); KB/conn = RSS (heap) per idle connection, ${sizes.memoryLevels.length > 1 ? `slope from ${sizes.memoryLevels[0]?.toLocaleString('en-US')} to ${sizes.memoryLevels.at(-1)?.toLocaleString('en-US')} connections` : `growth at ${sizes.memoryLevels[0]?.toLocaleString('en-US')}`}; ratios vs ${REFERENCE_ROW} in this run\n\n`);
    process.stdout.write(`${detailTables(results)}\n`);
  }
  if (startup) {
    process.stdout.write(`start → /readyz (memory engine, median): compiled ${Math.round(startup.compiled.medianMs)} ms (CPU ${startup.compiled.cpuMedianMs ?? '?'} ms), tsx source ${Math.round(startup.source.medianMs)} ms (CPU ${startup.source.cpuMedianMs ?? '?'} ms); target ≤ ${startup.targetMs} ms\n`);
  }
  if (slowLink) process.stdout.write(`${slowLinkTable(slowLink)}\n`);
  if (sdkCpu) {
    process.stdout.write(`client CPU per change (${sdkCpu.changes} sequential cart adds, one process holding both devices): SDK ${Math.round(sdkCpu.sdkUsPerChange)} µs, bare socket.io clients ${Math.round(sdkCpu.bareUsPerChange)} µs: ${sdkCpu.ratio.toFixed(2)}× (target ≤ ${sdkCpu.targetRatio}×)\n`);
  }
  for (const note of notes) process.stdout.write(`note: ${note}\n`);
  const written = writeResults(options.outDir ?? join(ROOT, 'bench', 'results'), results, options.note, options.history && !options.profile);
  log(`wrote ${written.latest}${written.history ? ` and appended to ${written.history}` : ''}`);
  const errors = [...rows.values()].flatMap((r) => r.errors.map((e) => `${r.id}: ${e}`));
  for (const e of errors) process.stdout.write(`error: ${e}\n`);
  return errors.length > 0 ? 1 : 0;
}

let options: CliOptions;
try {
  options = parseCli(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${errorText(err)}\n\n${HELP}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const cleanup = createCleanup({ log, stopTimeoutMs: 5_000 });
runCleanupOnSignals(cleanup, log);
const limitMs = options.quick ? 300_000 : options.profile ? 300_000 : 60 * 60_000;
const deadline = setTimeout(() => {
  log(`time limit of ${limitMs / 1000} s reached: stopping`);
  void cleanup.runAll().finally(() => process.exit(1));
}, limitMs);
deadline.unref();
main(options, cleanup)
  .then(async (code) => {
    await cleanup.runAll();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanup.runAll();
    process.exit(1);
  });

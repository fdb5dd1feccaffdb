/**
 * `npm run bench`: the product next to its baselines, measured in one run on this machine.
 * See `--help` (bench/cli.ts) for the options and bench/README.md for what each figure means.
 */
import { join } from 'node:path';
import { createCleanup, runCleanupOnSignals, type Cleanup } from '../test/support/cleanup.ts';
import { HELP, parseCli, type CliOptions } from './cli.ts';
import { writeResults } from './report/results.ts';
import type { BenchResults } from './report/types.ts';
import { printResults } from './run-print.ts';
import { commit, createRunContext, machine, planSizes, pruneOldRuns, ROOT } from './run-setup.ts';
import { measureAll } from './run-steps.ts';
import { errorText } from './steps/common.ts';
import { REFERENCE_ROW } from './systems.ts';

const started = performance.now();
const log = (line: string) => process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);

async function main(options: CliOptions, cleanup: Cleanup): Promise<number> {
  const plan = planSizes(options, log);
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const logRoot = join(ROOT, '.tmp', 'bench');
  pruneOldRuns(logRoot, 5);
  const logDir = join(logRoot, runId);
  const startedAt = new Date().toISOString();
  log(`bench ${options.profile ? 'profile' : options.quick ? 'quick' : 'full'} run: rows ${options.rows.join(', ')}; logs in ${logDir}`);

  const { ctx, loads } = await createRunContext(options, plan, { cleanup, logDir, log });
  const { rows, profile, startup, slowLink, sdkCpu, durability, webhooks } = await measureAll(ctx, options, log);
  await Promise.all([...loads.values()].map((l) => l.process.stop()));

  const { sizes, notes, fdLimits } = plan;
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
    durability,
    webhooks,
    notes,
  };

  printResults(results, sizes);
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

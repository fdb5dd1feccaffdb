/**
 * The fault and attack suite: `npm run test:faults [-- --only <scenario>] [-- --soak]`, `SEED=… ` to replay.
 * Starts real Redis and gateway processes on 127.0.0.1, injects faults, checks the shared invariants and
 * ends with a table; exits non-zero when any invariant fails (or any timing bar, with --strict).
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCleanup, runCleanupOnSignals } from '../support/cleanup.ts';
import { createRng, randomSeed } from './harness/rng.ts';
import { renderFailures, renderTable, writeReport, type ScenarioRecord } from './harness/report.ts';
import type { Scenario } from './harness/scenario.ts';
import { SCENARIOS } from './scenarios/index.ts';

const HELP = `Usage: npm run test:faults -- [options]

Runs the fault and attack scenarios against real gateway processes and a real Redis on 127.0.0.1,
checks the invariants (nothing acknowledged lost, nothing applied twice, every device converges) and
prints a table; writes test/faults/results/latest.json. Exits 1 when any check fails.

Options:
  --only <list>   run only these scenarios (ids or numbers, comma separated), e.g. --only 1,redis-wipe
  --soak          also run the 10-minute soak (scenario 11)
  --list          list the scenarios and exit
  --scale <x>     multiply client counts and durations (default 1)
  --strict        a missed timing bar fails the run too (by default it is reported in the table, and only
                  the invariants (nothing lost or doubled, convergence, no crash) fail the run)
  --help          this text

Environment:
  SEED=<n>        replay a run (every run prints its seed at start and on failure)
`;

function parseCli() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      soak: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      scale: { type: 'string', default: '1' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const scale = Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`--scale must be a positive number, got ${values.scale}`);
  const seedText = process.env.SEED;
  const seed = seedText === undefined || seedText === '' ? randomSeed() : Number(seedText);
  if (!Number.isInteger(seed)) throw new Error(`SEED must be an integer, got ${seedText}`);
  return { only: values.only, soak: values.soak, list: values.list, help: values.help, strict: values.strict, scale, seed };
}

function select(all: readonly Scenario[], only: string | undefined, soak: boolean): Scenario[] {
  if (!only) return all.filter((s) => (!s.soak || soak) && !s.knownFailure);
  const wanted = only.split(',').map((w) => w.trim()).filter(Boolean);
  const picked = wanted.map((w) => {
    const found = all.find((s) => s.id === w || String(s.number) === w);
    if (!found) throw new Error(`unknown scenario "${w}" (try --list)`);
    return found;
  });
  return [...new Set(picked)].sort((a, b) => a.number - b.number);
}

/** Each scenario derives its seed from the run's seed and its number, so `--only` replays it alone. */
function scenarioSeed(seed: number, number: number): number {
  return (seed ^ Math.imul(number, 0x9e3779b1)) >>> 0;
}

async function main(): Promise<number> {
  const cli = parseCli();
  if (cli.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (cli.list) {
    for (const s of SCENARIOS) {
      const tag = s.soak ? ' (--soak)' : s.knownFailure ? ` (known failure, --only: ${s.knownFailure})` : '';
      process.stdout.write(`${String(s.number).padStart(2)}  ${s.id.padEnd(18)} ${s.title}${tag}\n`);
    }
    return 0;
  }
  const scenarios = select(SCENARIOS, cli.only, cli.soak);
  for (const s of SCENARIOS) {
    if (s.knownFailure && !scenarios.includes(s)) process.stdout.write(`not run: ${s.number}. ${s.id}, a known failure (${s.knownFailure}); run it with --only ${s.number}\n`);
  }
  const cleanup = createCleanup();
  let unhandled = 0;
  process.on('unhandledRejection', (reason) => {
    unhandled += 1;
    process.stderr.write(`unhandled rejection in the suite: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
  });
  runCleanupOnSignals(cleanup, (line) => process.stderr.write(`\n${line} (seed ${cli.seed})\n`));

  const started = Date.now();
  process.stdout.write(`fault suite: seed ${cli.seed} (replay with SEED=${cli.seed}), ${scenarios.length} scenario(s), ${cpus().length} cpus\n`);
  const records: ScenarioRecord[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    const seed = scenarioSeed(cli.seed, scenario.number);
    const t0 = Date.now();
    const prefix = `[${index + 1}/${scenarios.length}] ${scenario.number}. ${scenario.id}`;
    process.stdout.write(`${prefix}: ${scenario.title}\n`);
    const record: ScenarioRecord = { number: scenario.number, id: scenario.id, title: scenario.title, seed, durationMs: 0, ok: false, result: null };
    try {
      record.result = await scenario.run({
        seed,
        rng: createRng(seed),
        cleanup,
        scale: cli.scale,
        note: (line) => process.stdout.write(`    ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${line}\n`),
      });
      const counted = record.result.checks.filter((c) => c.kind === 'invariant' || cli.strict);
      record.ok = counted.every((c) => c.ok) && record.result.lost === 0 && record.result.duplicated === 0;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
      if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    } finally {
      await cleanup.runAll();
    }
    record.durationMs = Date.now() - t0;
    records.push(record);
    const failed = renderFailures([record]);
    process.stdout.write(`${prefix}: ${record.ok ? 'ok' : 'FAILED'} in ${(record.durationMs / 1000).toFixed(1)} s\n`);
    for (const line of failed) process.stdout.write(`    ✗ ${line}\n`);
  }

  const ok = records.every((r) => r.ok) && unhandled === 0;
  const here = dirname(fileURLToPath(import.meta.url));
  const out = join(here, 'results', 'latest.json');
  writeReport(out, {
    seed: cli.seed,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    ok,
    unhandledRejections: unhandled,
    machine: { cpus: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    scenarios: records,
  });
  process.stdout.write(`\n${renderTable(records)}\n\n`);
  if (unhandled > 0) process.stdout.write(`✗ ${unhandled} unhandled rejection(s) in the suite process\n`);
  process.stdout.write(`wrote ${out}\n`);
  process.stdout.write(ok ? `all scenarios held (seed ${cli.seed})\n` : `FAILED: replay with SEED=${cli.seed} npm run test:faults${cli.only ? ` -- --only ${cli.only}` : ''}\n`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);

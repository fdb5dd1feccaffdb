import { parseArgs } from 'node:util';
import { ROW_IDS, type RowId } from './systems.ts';

export const STEP_IDS = ['startup', 'memory', 'latency', 'throughput', 'failover', 'fanout', 'slow-link', 'sdk-cpu', 'durability', 'webhooks'] as const;
export type StepId = (typeof STEP_IDS)[number];

export interface CliOptions {
  quick: boolean;
  rows: RowId[];
  /** rows came from --only (otherwise the mode's default set) */
  rowsChosen: boolean;
  steps: StepId[];
  profile: boolean;
  profileRate: number;
  fsync: 'always' | 'everysec' | 'no';
  note: string | null;
  history: boolean;
  /** latency rates instead of the mode's (1,000 and 5,000) */
  rates: number[] | null;
  /** where latest.json and history.json go */
  outDir: string | null;
  help: boolean;
}

export const HELP = `Usage: npm run bench -- [options]

Starts private redis-servers and node processes on 127.0.0.1, a separate load process holding every
device, and measures each system under the same conditions: device-to-device latency (p50/p99/p999 at
1,000 and 5,000 changes/s), max sustained throughput (p99 <= 50 ms, nothing lost), memory per idle
connection, failover after kill -9 (product), fan-out on four nodes, and webhook delivery (product). Prints a table with ratios to the
socket.io relay (sharded adapter) measured in the same run; writes bench/results/latest.json and appends
to bench/results/history.json. Stops by itself and kills every child on exit or Ctrl-C.

Options:
  --quick             CI-sized run, about two minutes on 2 cores (default: the full run, about 10 minutes)
  --only <rows>       comma list of rows: ${ROW_IDS.join(', ')}
                      (default: all; --quick leaves out product-sdk)
  --steps <steps>     comma list of steps: ${STEP_IDS.join(', ')} (default: all; --quick leaves out webhooks)
  --profile           run the product's two nodes under --cpu-prof at --profile-rate and print hot spots
  --profile-rate <n>  changes per second while profiling (default 5000)
  --fsync <mode>      appendfsync of the private Redis: always, everysec or no (default everysec)
  --note <text>       stored with this run's entry in history.json
  --no-history        do not append to history.json
  --rates <list>      latency rates in changes/s (default 1000,5000; the table shows 1k and 5k)
  --out <dir>         write latest.json (and history.json) there instead of bench/results
  --help              this text
`;

function splitList<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T[] {
  if (!value) throw new Error(`${flag} needs a value`);
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`${flag}: unknown "${item}" (expected ${allowed.join(', ')})`);
  return items as T[];
}

function positive(value: string, flag: string, example: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, e.g. ${example}`);
  return n;
}

/** Parses the bench's argv with node:util parseArgs (strict: an unknown flag or a missing value is an error). */
export function parseCli(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      steps: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'profile-rate': { type: 'string' },
      fsync: { type: 'string' },
      note: { type: 'string' },
      'no-history': { type: 'boolean', default: false },
      rates: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const wanted = values.only === undefined ? null : splitList(values.only, ROW_IDS, '--only');
  let rows: RowId[] = wanted ? ROW_IDS.filter((id) => wanted.includes(id)) : [...ROW_IDS];
  if (values.quick && !wanted) rows = rows.filter((r) => r !== 'product-sdk');
  if (values.out === '') throw new Error('--out needs a folder');
  return {
    quick: values.quick,
    rows,
    rowsChosen: wanted !== null,
    // webhooks took about a minute on the loaded 2-core machine (two more nodes, 2,200 API writes): full run only unless asked.
    steps: values.steps === undefined ? STEP_IDS.filter((s) => !(values.quick && s === 'webhooks')) : splitList(values.steps, STEP_IDS, '--steps'),
    profile: values.profile,
    profileRate: values['profile-rate'] === undefined ? 5000 : positive(values['profile-rate'], '--profile-rate', '5000'),
    fsync: values.fsync === undefined ? 'everysec' : (splitList(values.fsync, ['always', 'everysec', 'no'] as const, '--fsync')[0] ?? 'everysec'),
    note: values.note ?? null,
    history: !values['no-history'],
    rates: values.rates === undefined ? null : values.rates.split(',').map((rate) => positive(rate, '--rates', '1000,5000')),
    outDir: values.out ?? null,
    help: values.help,
  };
}

import { ROW_IDS, type RowId } from './systems.ts';

export const STEP_IDS = ['startup', 'memory', 'latency', 'throughput', 'failover', 'fanout'] as const;
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
connection, failover after kill -9 (product), and fan-out on four nodes. Prints a table with ratios to the
socket.io relay (sharded adapter) measured in the same run; writes bench/results/latest.json and appends
to bench/results/history.json. Stops by itself and kills every child on exit or Ctrl-C.

Options:
  --quick             CI-sized run, about two minutes on 2 cores (default: the full run, about 10 minutes)
  --only <rows>       comma list of rows: ${ROW_IDS.join(', ')}
                      (default: all; --quick leaves out product-sdk)
  --steps <steps>     comma list of steps: ${STEP_IDS.join(', ')} (default: all)
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

export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = {
    quick: false,
    rows: [...ROW_IDS],
    rowsChosen: false,
    steps: [...STEP_IDS],
    profile: false,
    profileRate: 5000,
    fsync: 'everysec',
    note: null,
    history: true,
    outDir: null,
    rates: null,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => argv[++i];
    switch (arg) {
      case '--quick':
        options.quick = true;
        break;
      case '--only':
      {
        const wanted = splitList(next(), ROW_IDS, '--only');
        options.rows = ROW_IDS.filter((id) => wanted.includes(id));
        options.rowsChosen = true;
      }
        break;
      case '--steps':
        options.steps = splitList(next(), STEP_IDS, '--steps');
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--profile-rate':
        options.profileRate = Number(next());
        if (!Number.isFinite(options.profileRate) || options.profileRate <= 0) throw new Error('--profile-rate needs a positive number');
        break;
      case '--fsync':
        options.fsync = splitList(next(), ['always', 'everysec', 'no'] as const, '--fsync')[0] ?? 'everysec';
        break;
      case '--note':
        options.note = next() ?? null;
        break;
      case '--no-history':
        options.history = false;
        break;
      case '--rates': {
        const rates = (next() ?? '').split(',').map(Number);
        if (rates.length === 0 || rates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error('--rates needs positive numbers, e.g. 1000,5000');
        options.rates = rates;
        break;
      }
      case '--out':
        options.outDir = next() ?? null;
        if (!options.outDir) throw new Error('--out needs a folder');
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  if (options.quick && !options.rowsChosen) options.rows = options.rows.filter((r) => r !== 'product-sdk');
  return options;
}

import type { Deployment } from '../harness/deployment.ts';
import type { FdLimits } from '../harness/fd-limit.ts';
import type { LoadProcess } from '../harness/load-process.ts';
import type { Cleanup } from '../../test/support/cleanup.ts';
import type { RowId } from '../systems.ts';

/** How big each step is: `--quick` (CI, about two minutes on 2 cores) or the full run. */
export interface Sizes {
  /** user pairs (device A on node 1, device B on node 2) carrying the latency and throughput load */
  pairs: number;
  latencyRates: number[];
  /** interleaved rounds per rate: every system gets one slice per round, in a rotating order */
  latencyRounds: number;
  latencySliceMs: number;
  warmupMs: number;
  drainMs: number;
  throughputLevels: number[];
  throughputSliceMs: number;
  memoryLevels: number[];
  failoverDevices: number;
  failoverMissedPerUser: number;
  fanoutDevices: number;
  fanoutChanges: number;
  fanoutUsers: number;
  fanoutIdleUsers: number;
  fanoutRate: number;
  fanoutSliceMs: number;
  profileMs: number;
}

export const QUICK: Sizes = {
  pairs: 100,
  latencyRates: [1000, 5000],
  latencyRounds: 1,
  latencySliceMs: 1500,
  warmupMs: 300,
  drainMs: 2000,
  throughputLevels: [2000, 4000, 8000, 12000, 16000, 20000],
  throughputSliceMs: 1000,
  memoryLevels: [1000],
  failoverDevices: 300,
  failoverMissedPerUser: 2,
  fanoutDevices: 40,
  fanoutChanges: 20,
  fanoutUsers: 100,
  fanoutIdleUsers: 100,
  fanoutRate: 1000,
  fanoutSliceMs: 1000,
  profileMs: 5000,
};

export const FULL: Sizes = {
  pairs: 300,
  latencyRates: [1000, 5000],
  latencyRounds: 5,
  latencySliceMs: 2000,
  warmupMs: 500,
  drainMs: 3000,
  throughputLevels: [2000, 2500, 3000, 3500, 4000, 5000, 6000, 7000, 8000, 10000, 12000, 14000, 16000, 20000, 24000, 30000],
  throughputSliceMs: 3000,
  memoryLevels: [1000, 5000, 10000],
  failoverDevices: 1000,
  failoverMissedPerUser: 3,
  fanoutDevices: 100,
  fanoutChanges: 100,
  fanoutUsers: 400,
  fanoutIdleUsers: 400,
  fanoutRate: 1000,
  fanoutSliceMs: 3000,
  profileMs: 15000,
};

export interface BenchContext {
  sizes: Sizes;
  quick: boolean;
  rows: RowId[];
  cleanup: Cleanup;
  /** The load process of a row: each row has its own, so one system's idle devices never stall another's generator. */
  load(row: RowId): LoadProcess;
  logDir: string;
  fdLimits: FdLimits;
  fdNeeded: number;
  fsync: 'always' | 'everysec' | 'no';
  progress(line: string): void;
  /** Every process of every running deployment, and the load process: what must be quiet before a slice. */
  benchPids(): number[];
  /** Cores the bench's processes use with nothing offered (set once the pairs are connected): "quiet" is near it. */
  idleCores: number;
  /** Starts `nodes` nodes of a row's system on a private Redis. */
  deploy(row: RowId, nodes: number, tag: string, options?: { cpuProfDir?: string; env?: Record<string, string> }): Promise<Deployment>;
}

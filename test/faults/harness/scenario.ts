import type { Rng } from './rng.ts';
import type { Cleanup } from '../../support/cleanup.ts';

/** One checked bar or invariant of a scenario. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /**
   * `invariant` (nothing lost or doubled, convergence, no crash) fails the run; `bar` is a timing figure
   * from the issue, shown in the table and failing the run only with `--strict` (timings are flaky on a
   * shared machine, so they are reported rather than asserted by default).
   */
  kind: 'invariant' | 'bar';
}

/** What every scenario reports; `figures` holds its own measurements (reconnect p50/p99...). */
export interface ScenarioResult {
  clients: number;
  operations: number;
  faults: number;
  lost: number;
  duplicated: number;
  /** Time from the end of the last fault (or of the writes) until every device equalled the server. */
  convergedWithinMs: number | null;
  figures: Record<string, string | number | null>;
  checks: Check[];
}

export interface ScenarioContext {
  seed: number;
  rng: Rng;
  cleanup: Cleanup;
  /** A progress note for the console (one line). */
  note(line: string): void;
  /** Scale factor from `--scale` (1 in CI). */
  scale: number;
}

export interface Scenario {
  id: string;
  number: number;
  title: string;
  /** Only with `--soak`. */
  soak?: boolean;
  /**
   * An open defect this scenario still finds: it is left out of the default run (so CI stays usable) and runs
   * with `--only`; every run and `--list` print the reason, so the failure is never out of sight.
   */
  knownFailure?: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail, kind: 'invariant' };
}

/** A timing bar: reported, and failing the run only with `--strict`. */
export function bar(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail, kind: 'bar' };
}

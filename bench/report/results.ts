import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryPerConn } from './table.ts';
import type { BenchResults } from './types.ts';

/** One line of bench/results/history.json: enough to follow the table across commits. */
export interface HistoryEntry {
  runId: string;
  at: string;
  mode: BenchResults['mode'];
  commit: string | null;
  machine: string;
  rows: Array<{
    id: string;
    p50_1k: number | null;
    p99_1k: number | null;
    p50_5k: number | null;
    p99_5k: number | null;
    maxRate: number | null;
    kbPerConn: number | null;
    failoverP99: number | null;
  }>;
  note: string | null;
}

const round = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? null : Number(v.toFixed(digits)));

export function historyEntry(results: BenchResults, note: string | null): HistoryEntry {
  return {
    runId: results.runId,
    at: results.finishedAt,
    mode: results.mode,
    commit: results.commit,
    machine: `${results.machine.cpus}× ${results.machine.cpuModel}, node ${results.machine.node}, redis ${results.machine.redis}`,
    rows: results.rows.map((row) => ({
      id: row.id,
      p50_1k: round(row.latency['1000']?.latency.p50),
      p99_1k: round(row.latency['1000']?.latency.p99),
      p50_5k: round(row.latency['5000']?.latency.p50),
      p99_5k: round(row.latency['5000']?.latency.p99),
      maxRate: row.throughput?.maxRate ?? null,
      kbPerConn: round(memoryPerConn(row)?.rss, 1),
      failoverP99: round(row.failover?.catchUpMs.p99, 0),
    })),
    note,
  };
}

/** Writes latest.json and appends to history.json (kept in git, so the table's history travels with the code). */
export function writeResults(dir: string, results: BenchResults, note: string | null, appendHistory: boolean): { latest: string; history: string | null } {
  mkdirSync(dir, { recursive: true });
  const latest = join(dir, 'latest.json');
  writeFileSync(latest, `${JSON.stringify(results, null, 2)}\n`);
  if (!appendHistory) return { latest, history: null };
  const history = join(dir, 'history.json');
  let entries: HistoryEntry[] = [];
  if (existsSync(history)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(history, 'utf8'));
      if (Array.isArray(parsed)) entries = parsed as HistoryEntry[];
    } catch {
      entries = [];
    }
  }
  entries.push(historyEntry(results, note));
  writeFileSync(history, `${JSON.stringify(entries, null, 2)}\n`);
  return { latest, history };
}

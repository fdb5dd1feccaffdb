import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ms } from './stats.ts';
import type { ScenarioResult } from './scenario.ts';

export interface ScenarioRecord {
  number: number;
  id: string;
  title: string;
  seed: number;
  durationMs: number;
  ok: boolean;
  /** Set when the scenario itself threw (a harness or product failure before the checks). */
  error?: string;
  result: ScenarioResult | null;
}

export interface RunReport {
  seed: number;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  unhandledRejections: number;
  machine: { cpus: number; node: string; platform: string };
  scenarios: ScenarioRecord[];
}

function figuresText(figures: Record<string, string | number | null>): string {
  return Object.entries(figures)
    .map(([k, v]) => `${k} ${v ?? '-'}`)
    .join('; ');
}

/** The table printed at the end of a run (and pasted into the README). */
export function renderTable(records: readonly ScenarioRecord[]): string {
  const header = ['#', 'scenario', 'ok', 'clients', 'operations', 'faults', 'lost', 'duplicated', 'converged within', 'figures'];
  const rows = records.map((r) => [
    String(r.number),
    r.id,
    r.ok ? (barsMissed(r) > 0 ? `yes, ${barsMissed(r)} bar(s) missed` : 'yes') : 'NO',
    String(r.result?.clients ?? '-'),
    String(r.result?.operations ?? '-'),
    String(r.result?.faults ?? '-'),
    String(r.result?.lost ?? '-'),
    String(r.result?.duplicated ?? '-'),
    r.result ? ms(r.result.convergedWithinMs) : '-',
    r.error ? `error: ${r.error}` : figuresText(r.result?.figures ?? {}),
  ]);
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

/** Failed checks, one per line, for the console and for the README's "what failed" notes. */
export function renderFailures(records: readonly ScenarioRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (r.error) out.push(`${r.id}: ${r.error}`);
    for (const c of r.result?.checks ?? []) if (!c.ok) out.push(`${c.kind === 'bar' ? 'bar missed: ' : ''}${r.id}: ${c.name}: ${c.detail}`);
  }
  return out;
}

export function writeReport(path: string, report: RunReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** Timing bars a scenario missed (reported; they fail the run only with --strict). */
function barsMissed(r: ScenarioRecord): number {
  return (r.result?.checks ?? []).filter((c) => c.kind === 'bar' && !c.ok).length;
}

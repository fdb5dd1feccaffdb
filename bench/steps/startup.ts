/**
 * Time from process start to a 200 on /readyz for one gateway on the memory engine: the compiled server
 * (`node dist/server.js`, what `npm start`, the demo and the image run) next to the TypeScript source under tsx.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnProcess } from '../../test/support/supervisor.ts';
import type { StartupResult } from '../report/types.ts';
import type { BenchContext } from './context.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

const VARIANTS = {
  compiled: ['--enable-source-maps', 'dist/server.js'],
  source: ['--import', 'tsx', 'server/main.ts'],
} as const;

/** Builds dist/server.js when it is missing or older than its sources (scripts/ensure-built.mjs). */
export function ensureBuilt(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['scripts/ensure-built.mjs'], { cwd: ROOT }, (error, _out, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve()));
  });
}

/** CPU time (user + system) a process has used so far, from /proc (Linux; null elsewhere). */
function cpuMsOf(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

interface Start {
  wallMs: number;
  cpuMs: number | null;
}

/** One start: spawn, learn the port from the `listening` line, poll /readyz, then kill -9 (nothing to drain). */
async function timeOneStart(args: readonly string[], nodeId: string): Promise<Start> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    NODE_ID: nodeId,
    PORT: '0',
    ADMIN_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SERVE_DEMO: 'false',
  };
  const started = performance.now();
  const node = spawnProcess({ name: nodeId, command: process.execPath, args, cwd: ROOT, env });
  try {
    const listening = await node.waitForLine((line) => line.includes('"listening"'), { timeoutMs: READY_TIMEOUT_MS, what: `${nodeId} listening` });
    const port = /"port":(\d+)/.exec(listening)?.[1];
    if (!port) throw new Error(`${nodeId}: no port in ${listening}`);
    let cpuMs: number | null = null;
    await node.waitFor(
      async () => {
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((res) => res.ok, () => false);
        if (ok) cpuMs = cpuMsOf(node.pid);
        return ok;
      },
      { timeoutMs: READY_TIMEOUT_MS - (performance.now() - started), what: `${nodeId} /readyz` },
    );
    return { wallMs: performance.now() - started, cpuMs };
  } finally {
    await node.kill('SIGKILL');
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function measureStartup(ctx: BenchContext): Promise<StartupResult> {
  await ensureBuilt();
  const rounds = ctx.quick ? 3 : 7;
  const samples: Record<keyof typeof VARIANTS, Start[]> = { compiled: [], source: [] };
  // Interleaved, so a slow minute of the machine hits both alike.
  for (let round = 0; round < rounds; round += 1) {
    for (const variant of Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]) {
      samples[variant].push(await timeOneStart(VARIANTS[variant], `startup-${variant}-${round}`));
    }
  }
  const summary = (starts: Start[]) => {
    const cpu = starts.flatMap((start) => (start.cpuMs === null ? [] : [start.cpuMs]));
    return { medianMs: median(starts.map((start) => start.wallMs)), samplesMs: starts.map((start) => start.wallMs), cpuMedianMs: cpu.length > 0 ? median(cpu) : null };
  };
  const result: StartupResult = { targetMs: 1_000, compiled: summary(samples.compiled), source: summary(samples.source) };
  ctx.progress(
    `startup  process start → /readyz, memory engine, median of ${rounds}: compiled ${Math.round(result.compiled.medianMs)} ms (CPU ${result.compiled.cpuMedianMs ?? '?'} ms), tsx source ${Math.round(result.source.medianMs)} ms (CPU ${result.source.cpuMedianMs ?? '?'} ms); target ≤ ${result.targetMs} ms`,
  );
  return result;
}

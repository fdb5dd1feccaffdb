import { cpuMsOf } from './proc-stats.ts';
import { pause as sleep } from '../../test/support/timing.ts';

/**
 * Waits until the given processes together use less than `maxCores` of CPU over a 150 ms window (what a
 * previous step left behind has drained), or `timeoutMs` passes. Returns how long it waited.
 */
export async function waitQuiet(pids: number[], options: { maxCores?: number; timeoutMs?: number } = {}): Promise<number> {
  const maxCores = options.maxCores ?? 0.15;
  const timeoutMs = options.timeoutMs ?? 4_000;
  const started = performance.now();
  const total = () => pids.reduce((sum, pid) => sum + (cpuMsOf(pid) ?? 0), 0);
  while (performance.now() - started < timeoutMs) {
    const before = total();
    const t0 = performance.now();
    await sleep(150);
    const used = total() - before;
    if (used / (performance.now() - t0) < maxCores) break;
  }
  return performance.now() - started;
}

/** Cores the given processes use together over `ms` (their background when nothing is offered). */
export async function coresUsed(pids: number[], ms = 1_000): Promise<number> {
  const total = () => pids.reduce((sum, pid) => sum + (cpuMsOf(pid) ?? 0), 0);
  const before = total();
  const t0 = performance.now();
  await sleep(ms);
  return (total() - before) / (performance.now() - t0);
}

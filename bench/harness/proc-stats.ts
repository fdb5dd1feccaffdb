import { readFileSync } from 'node:fs';

// Linux reports CPU time in clock ticks; 100 per second on every mainstream kernel build.
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) a process has used so far; null when it is gone or not on Linux. */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which sits in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Resident set size (bytes) of a process; null when it is gone or not on Linux. */
export function rssOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples CPU time and RSS of some processes over a window: CPU ms used in it and peak RSS seen. */
export interface ProcWatch {
  stop(): Record<string, { cpuMs: number; peakRssBytes: number }>;
}

export function watchProcesses(pids: Record<string, number>, everyMs = 200): ProcWatch {
  const startCpu = new Map<string, number>();
  const peak = new Map<string, number>();
  for (const [name, pid] of Object.entries(pids)) {
    startCpu.set(name, cpuMsOf(pid) ?? 0);
    peak.set(name, rssOf(pid) ?? 0);
  }
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) peak.set(name, Math.max(peak.get(name) ?? 0, rssOf(pid) ?? 0));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const out: Record<string, { cpuMs: number; peakRssBytes: number }> = {};
      for (const [name, pid] of Object.entries(pids)) {
        out[name] = {
          cpuMs: Math.max(0, (cpuMsOf(pid) ?? 0) - (startCpu.get(name) ?? 0)),
          peakRssBytes: Math.max(peak.get(name) ?? 0, rssOf(pid) ?? 0),
        };
      }
      return out;
    },
  };
}

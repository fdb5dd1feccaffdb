import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process the demo started, with its output appended to a log file. */
export interface Child {
  readonly pid: number | undefined;
  readonly exited: Promise<ChildExit>;
  isRunning(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL when it is still there after `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
}

export function startChild(command: string, args: readonly string[], options: ChildOptions): Child {
  const fd = openSync(options.logFile, 'a');
  const proc = (() => {
    try {
      return spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd] });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(fd);
    }
  })();
  let running = true;
  const exited = new Promise<ChildExit>((resolve) => {
    proc.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
    proc.once('error', () => {
      running = false;
      resolve({ code: null, signal: null });
    });
  });
  const child: Child = {
    pid: proc.pid,
    exited,
    isRunning: () => running,
    signal(signal) {
      if (running) proc.kill(signal);
    },
    async stop(graceMs) {
      if (!running) return;
      proc.kill('SIGTERM');
      const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      if ((await Promise.race([exited, timer])) === 'late') {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
  return child;
}

/** Where programs live that a non-root PATH often leaves out (haproxy and nginx install to sbin). */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/opt/homebrew/bin', '/opt/homebrew/sbin'];

/** The absolute path of an executable on PATH (or in `extraDirs`, by default the usual sbin folders), or null. */
export function which(bin: string, path = process.env['PATH'] ?? '', extraDirs: readonly string[] = EXTRA_DIRS): string | null {
  const dirs = [...path.split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Stops waiting early with this error when it resolves (e.g. the process died). */
  abort?: Promise<Error>;
}

/** Polls `check` until it returns true; rejects after `timeoutMs` or when `abort` resolves. */
export async function waitUntil(what: string, check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let aborted: Error | null = null;
  void options.abort?.then((error) => {
    aborted = error;
  });
  while (Date.now() < deadline) {
    if (aborted) throw aborted;
    if (await check().catch(() => false)) return;
    if (aborted) throw aborted;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}`);
}

/** GET a URL on loopback with a short timeout; null when nothing answered. */
export async function probe(url: string, timeoutMs = 1000): Promise<{ status: number; body: string } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return null;
  }
}

/**
 * The one process supervisor of the tests, the fault suite, the bench and the demo.
 *
 *   const redis = await startProcess({ name: 'redis', command: 'redis-server', args, ready: { probe: ping } });
 *   const node = await startProcess({ name: 'n1', command: process.execPath, args, ready: { line: (l) => l.includes('listening') } });
 *   node.lines();            // the last 2,000 output lines
 *   await node.stop();       // SIGTERM, SIGKILL after the grace
 *
 * Every process leads its own process group, and the whole group is killed: when the process is stopped or
 * killed, when it exits by itself (nothing it started outlives it), when this process exits, and, through a
 * watchdog that holds a pipe from this process, when this process dies without running any handler
 * (a test worker killed with SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { poll, timeout, TimeoutError } from './timing.ts';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type Readiness = { line: (line: string) => boolean } | { probe: () => boolean | Promise<boolean> };

export interface SpawnOptions {
  /** For messages and echoed lines. */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Also append every output line to this file. */
  logFile?: string;
  /** How many of the last output lines to keep. @default 2000 */
  keepLines?: number;
  /** Print each output line as it comes, prefixed with `[name]`. @default false */
  echo?: boolean;
  /** Open an IPC channel with this serialization (node children only). */
  ipc?: 'json' | 'advanced';
}

export interface StartOptions extends SpawnOptions {
  /** When the process counts as started: an output line that matches, or a probe that answers true. */
  ready?: Readiness;
  /** @default 20_000 */
  readyTimeoutMs?: number;
}

/** One supervised process. */
export interface Supervised {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves once the process has exited (its group is killed then). */
  readonly exited: Promise<ProcessExit>;
  readonly running: boolean;
  /** The last output lines (stdout and stderr, in arrival order). */
  lines(): string[];
  /** Calls `listener` with every output line from now on; returns the unsubscribe. */
  onLine(listener: (line: string) => void): () => void;
  /** Resolves with the first output line (kept or coming) that matches; rejects when the process exits first. */
  waitForLine(match: (line: string) => boolean, options?: { timeoutMs?: number; what?: string }): Promise<string>;
  /** Polls `probe` until it answers true; rejects when the process exits first. */
  waitFor(probe: () => boolean | Promise<boolean>, options?: { timeoutMs?: number; what?: string }): Promise<void>;
  /** Sends a signal to the process group (SIGSTOP freezes it, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal` (a frozen process is thawed first) and waits for the exit. @default SIGKILL */
  kill(signal?: NodeJS.Signals): Promise<ProcessExit>;
  /** `signal` (default SIGTERM), then SIGKILL when the process is still there after `graceMs` (default 5 s). */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<ProcessExit>;
}

// ---- the whole-tree guarantee -------------------------------------------------------------------------

const liveGroups = new Set<number>();

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

process.once('exit', () => {
  for (const pgid of liveGroups) {
    killGroup(pgid, 'SIGCONT');
    killGroup(pgid, 'SIGKILL');
  }
});

// Reads `+pgid` / `-pgid` lines; at end of input (this process gone, however it went) kills what is left.
const WATCHDOG = `trap '' INT TERM HUP
groups=' '
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} " ;;
    -*) groups="\${groups/ \${line#-} / }" ;;
  esac
done
for g in $groups; do kill -CONT -- "-$g" 2>/dev/null; kill -KILL -- "-$g" 2>/dev/null; done
exit 0`;

let watchdog: ChildProcess | null = null;

function tellWatchdog(line: string): void {
  if (!watchdog) {
    watchdog = spawn('bash', ['-c', WATCHDOG], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    watchdog.unref();
    watchdog.stdin?.on('error', () => undefined);
    // The pipe must not keep this process alive: it only has to close when this process ends.
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watchdog.stdin?.write(`${line}\n`);
}

// ---- spawning ------------------------------------------------------------------------------------------

/** Spawns a supervised process without waiting for anything. */
export function spawnProcess(options: SpawnOptions): Supervised {
  const keep = options.keepLines ?? 2000;
  const stdio: ('ignore' | 'pipe' | 'ipc')[] = ['ignore', 'pipe', 'pipe'];
  if (options.ipc) stdio.push('ipc');
  const child = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio,
    detached: true,
    ...(options.ipc ? { serialization: options.ipc } : {}),
  });
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', () => undefined);
    throw new Error(`${options.name}: could not start ${options.command}`);
  }
  liveGroups.add(pid);
  tellWatchdog(`+${pid}`);

  let log: WriteStream | null = null;
  if (options.logFile) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    log = createWriteStream(options.logFile, { flags: 'a' });
  }
  const kept: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const collect = (line: string) => {
    kept.push(line);
    if (kept.length > keep) kept.shift();
    log?.write(`${line}\n`);
    if (options.echo) process.stdout.write(`[${options.name}] ${line}\n`);
    for (const listener of listeners) listener(line);
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', collect);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', collect);

  let running = true;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      // Nothing the process started may outlive it.
      killGroup(pid, 'SIGCONT');
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
      tellWatchdog(`-${pid}`);
      // Resolve once the output is read to the end ('close'), or soon after when something kept a pipe open.
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(late);
        log?.end();
        resolve({ code, signal });
      };
      const late = setTimeout(finish, 1_000);
      child.once('close', finish);
    });
  });
  const describeExit = async () => {
    const exit = await exited;
    return new Error(`${options.name} exited (${exit.code ?? exit.signal}) first:\n${kept.slice(-20).join('\n')}`);
  };

  const supervised: Supervised = {
    name: options.name,
    pid,
    child,
    exited,
    get running() {
      return running;
    },
    lines: () => [...kept],
    onLine(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    waitForLine(match, waitOptions = {}) {
      const seen = kept.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      let unsubscribe = () => {};
      const found = new Promise<string>((resolve, reject) => {
        unsubscribe = supervised.onLine((line) => {
          if (match(line)) resolve(line);
        });
        void exited.then(async () => reject(await describeExit()));
      });
      const what = `${options.name}: ${waitOptions.what ?? 'the awaited output line'}`;
      return timeout(found, waitOptions.timeoutMs ?? 20_000, what).finally(unsubscribe);
    },
    async waitFor(probe, waitOptions = {}) {
      const what = `${options.name}: ${waitOptions.what ?? 'ready'}`;
      await poll(async () => !running || (await probe()), { what, timeoutMs: waitOptions.timeoutMs ?? 20_000 });
      if (!running) throw await describeExit();
    },
    signal(signal) {
      if (running) killGroup(pid, signal);
    },
    async kill(signal = 'SIGKILL') {
      if (running) {
        if (signal !== 'SIGKILL' && signal !== 'SIGCONT') killGroup(pid, 'SIGCONT');
        killGroup(pid, signal);
      }
      return exited;
    },
    async stop(graceMs = 5_000, signal = 'SIGTERM') {
      if (!running) return exited;
      killGroup(pid, 'SIGCONT');
      killGroup(pid, signal);
      try {
        return await timeout(exited, graceMs, `${options.name} stop`);
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
        return supervised.kill('SIGKILL');
      }
    },
  };
  return supervised;
}

/** Spawns a supervised process and waits until it is ready; a process that fails to get ready is killed. */
export async function startProcess(options: StartOptions): Promise<Supervised> {
  const supervised = spawnProcess(options);
  const timeoutMs = options.readyTimeoutMs ?? 20_000;
  try {
    if (options.ready && 'line' in options.ready) await supervised.waitForLine(options.ready.line, { timeoutMs, what: 'ready line' });
    else if (options.ready) await supervised.waitFor(options.ready.probe, { timeoutMs, what: 'ready' });
  } catch (err) {
    await supervised.kill('SIGKILL');
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}${message.includes('\n') ? '' : `\nlast lines:\n${supervised.lines().slice(-20).join('\n')}`}`);
  }
  return supervised;
}

import type { ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIpcClient, type IpcClient } from './ipc.ts';
import { withFdLimit, type FdLimits } from './fd-limit.ts';
import type { Cleanup } from '../../test/support/cleanup.ts';
import { spawnProcess } from '../../test/support/supervisor.ts';
import { timeout } from '../../test/support/timing.ts';

const PROBE = fileURLToPath(new URL('./probe.ts', import.meta.url));

export interface MemSample {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** A node process started by the benchmark (a gateway, a baseline node or the load process). */
export interface NodeProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly ipc: IpcClient;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  mem(gc: boolean): Promise<MemSample>;
  redisCount(reset: boolean): Promise<{ bytes: number; messages: number }>;
  /** Asks for a clean exit (writes a CPU profile if one was asked for), then SIGKILLs after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnNodeOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  /** TCP port to wait for (a GET of `readyPath` when given), or none for the load process. */
  port?: number;
  readyPath?: string;
  /** Port of the Redis whose pub/sub deliveries the probe counts. */
  redisPort?: number;
  logDir: string;
  cpuProfDir?: string;
  fdNeeded: number;
  fdLimits: FdLimits;
  cleanup: Cleanup;
  readyTimeoutMs?: number;
  /** Advanced serialization (structured clone) for the IPC channel. */
  advancedIpc?: boolean;
}

export async function spawnNode(options: SpawnNodeOptions): Promise<NodeProcess> {
  const logFile = join(options.logDir, `${options.name}.log`);
  const nodeArgs = ['--expose-gc', '--import', 'tsx', '--import', PROBE];
  if (options.cpuProfDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', join(options.cpuProfDir, options.name));
  const { argv } = withFdLimit([process.execPath, ...nodeArgs, options.script], options.fdNeeded, options.fdLimits);
  const [command, ...args] = argv;
  const proc = spawnProcess({
    name: options.name,
    command: command ?? process.execPath,
    args,
    env: { ...process.env, ...options.env, ...(options.redisPort ? { BENCH_REDIS_PORT: String(options.redisPort) } : {}) },
    logFile,
    keepLines: 50,
    ipc: options.advancedIpc ? 'advanced' : 'json',
  });
  const { child, pid } = proc;
  const exited = proc.exited.then(({ code, signal }) => signal ?? code ?? 0);
  const ipc = createIpcClient(child, options.name);
  const node: NodeProcess = {
    name: options.name,
    pid,
    child,
    ipc,
    logFile,
    exited,
    mem: (gc) => ipc.request<MemSample>('mem', { gc }, 30_000),
    redisCount: (reset) => ipc.request('redis-count', { reset }, 10_000),
    async stop(graceMs = 3_000) {
      if (!proc.running) return;
      // The probe's clean exit writes the CPU profile; SIGKILL only when it does not come.
      await ipc.request('exit', null, graceMs).catch(() => undefined);
      await timeout(proc.exited, graceMs, `${options.name} exit`).catch(() => proc.kill('SIGKILL'));
    },
    kill(signal = 'SIGKILL') {
      proc.signal(signal);
    },
  };
  const unregister = options.cleanup.add(options.name, () => node.stop(1_500));
  void exited.then(unregister);
  if (options.port !== undefined) {
    const { port, readyPath } = options;
    await proc.waitFor(() => probeOnce(port, readyPath), { timeoutMs: options.readyTimeoutMs ?? 30_000, what: `ready on 127.0.0.1:${port}${readyPath ?? ''}; see ${logFile}` });
  }
  return node;
}

function probeOnce(port: number, path: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (path) {
      const req = httpRequest({ host: '127.0.0.1', port, path, timeout: 1_000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
      return;
    }
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIpcClient, type IpcClient } from './ipc.ts';
import { withFdLimit, type FdLimits } from './fd-limit.ts';
import type { Reaper } from './reaper.ts';

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
  reaper: Reaper;
  readyTimeoutMs?: number;
  /** Advanced serialization (structured clone) for the IPC channel. */
  advancedIpc?: boolean;
}

export async function spawnNode(options: SpawnNodeOptions): Promise<NodeProcess> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const log = createWriteStream(logFile);
  const nodeArgs = ['--expose-gc', '--import', 'tsx', '--import', PROBE];
  if (options.cpuProfDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', join(options.cpuProfDir, options.name));
  const { argv } = withFdLimit([process.execPath, ...nodeArgs, options.script], options.fdNeeded, options.fdLimits);
  const [command, ...args] = argv;
  const child = spawn(command ?? process.execPath, args, {
    env: { ...process.env, ...options.env, ...(options.redisPort ? { BENCH_REDIS_PORT: String(options.redisPort) } : {}) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: options.advancedIpc ? 'advanced' : 'json',
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name} did not start`);
  options.reaper.addPid(pid);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      options.reaper.forgetPid(pid);
      resolve(signal ?? code ?? 0);
    });
  });
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
      if (child.exitCode !== null || child.signalCode !== null) return;
      await ipc.request('exit', null, graceMs).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill(signal = 'SIGKILL') {
      child.kill(signal);
    },
  };
  const unregister = options.reaper.add(options.name, () => node.stop(1_500));
  void exited.then(unregister);
  if (options.port !== undefined) {
    const failed = exited.then((code) => {
      throw new Error(`${options.name} exited (${code}) before it was ready; see ${logFile}`);
    });
    await Promise.race([waitReady(options.port, options.readyPath, options.readyTimeoutMs ?? 30_000), failed]);
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

async function waitReady(port: number, path: string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probeOnce(port, path)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing ready on 127.0.0.1:${port}${path ?? ''} within ${timeoutMs} ms`);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { ensureRedisBinary } from './redis-binary.ts';
import { freePort } from './free-port.ts';

export interface RedisServerOptions {
  /** append-only persistence with fsync on every write @default true */
  appendOnly?: boolean;
  port?: number;
  /** extra redis-server arguments, e.g. ['--cluster-enabled', 'yes'] */
  args?: string[];
}

/** A real redis-server on loopback, started from the machine's binary, with its own data folder. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly pid: number | undefined;
  /** True from a start until `kill()` (a process frozen with SIGSTOP still counts as running). */
  readonly running: boolean;
  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT...) to the process. */
  signal(signal: NodeJS.Signals): void;
  /** Kills the process hard and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port; with `wipe`, its data is deleted first (a store that lost everything). */
  restart(options?: { wipe?: boolean }): Promise<void>;
  /** Stops it and deletes its data folder. */
  stop(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.write('PING\r\n');
        socket.once('data', (data) => {
          socket.destroy();
          if (data.toString().startsWith('+PONG')) resolve();
          else retry();
        });
      });
      socket.once('error', () => {
        socket.destroy();
        retry();
      });
    };
    const retry = () => {
      if (Date.now() > deadline) reject(new Error(`redis-server did not answer on port ${port}`));
      else setTimeout(attempt, 25);
    };
    attempt();
  });
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = ensureRedisBinary();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'tandem-redis-'));
  const appendOnly = options.appendOnly ?? true;
  let child: ChildProcess | null = null;

  const launch = async () => {
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--save', '',
      '--appendonly', appendOnly ? 'yes' : 'no',
      '--appendfsync', 'always',
      '--protected-mode', 'no',
      '--loglevel', 'warning',
      ...(options.args ?? []),
    ];
    const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child = proc;
    await waitForPort(port, 10_000);
  };

  const waitExit = (proc: ChildProcess | null) =>
    new Promise<void>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
    });

  await launch();

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    signal(signal) {
      child?.kill(signal);
    },
    async kill() {
      const proc = child;
      proc?.kill('SIGCONT');
      proc?.kill('SIGKILL');
      await waitExit(proc);
    },
    async restart(restartOptions = {}) {
      await server.kill();
      if (restartOptions.wipe) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
      }
      await launch();
    },
    async stop() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

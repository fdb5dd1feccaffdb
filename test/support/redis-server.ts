import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { ensureRedisBinary } from './redis-binary.ts';
import { freePort } from './free-port.ts';
import { startProcess, type Supervised } from './supervisor.ts';

export interface RedisServerOptions {
  /** append-only persistence @default true */
  appendOnly?: boolean;
  /** How often the append-only file is synced: on every write (tests), or once a second (the demo, production). @default 'always' */
  appendFsync?: 'always' | 'everysec' | 'no';
  port?: number;
  /** extra redis-server arguments, e.g. ['--cluster-enabled', 'yes'] */
  args?: string[];
  /** Data folder, kept by `stop()` (a fresh temporary folder, deleted by `stop()`, when not given). */
  dir?: string;
  /** Also write the server's output to this file. */
  logFile?: string;
  /** @default the machine's redis-server (systemBinary) */
  binary?: string;
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

/** True when something at host:port answers PING like a Redis: +PONG, or -NOAUTH from one that wants a password. */
export function answersPing(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
    socket.once('error', () => done(false));
  });
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? ensureRedisBinary();
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tandem-redis-'));
  if (!ownDir) mkdirSync(dir, { recursive: true });
  const appendOnly = options.appendOnly ?? true;
  let child: Supervised | null = null;

  const launch = async () => {
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--save', '',
      '--appendonly', appendOnly ? 'yes' : 'no',
      '--appendfsync', options.appendFsync ?? 'always',
      '--protected-mode', 'no',
      '--loglevel', 'warning',
      ...(options.args ?? []),
    ];
    child = await startProcess({
      name: `redis-server :${port}`,
      command: binary,
      args,
      ready: { probe: () => answersPing('127.0.0.1', port) },
      readyTimeoutMs: 10_000,
      ...(options.logFile ? { logFile: options.logFile } : {}),
    });
  };

  await launch();

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child?.running ?? false;
    },
    signal(signal) {
      child?.signal(signal);
    },
    async kill() {
      await child?.kill('SIGKILL');
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
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

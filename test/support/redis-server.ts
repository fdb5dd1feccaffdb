import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { ensureRedisBinary } from './redis-binary.ts';
import { freePort } from './free-port.ts';
import { startProcess, type Supervised } from './supervisor.ts';

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

/** True when something on `port` answers PING with +PONG. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.once('error', () => done(false));
  });
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = ensureRedisBinary();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'tandem-redis-'));
  const appendOnly = options.appendOnly ?? true;
  let child: Supervised | null = null;

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
    child = await startProcess({
      name: `redis-server :${port}`,
      command: binary,
      args,
      ready: { probe: () => pong(port) },
      readyTimeoutMs: 10_000,
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

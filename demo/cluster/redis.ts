import { createConnection } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnProcess } from '../../test/support/supervisor.ts';
import { which } from './which.ts';

/** The one line printed when redis-server is missing. */
export const REDIS_INSTALL_HINT =
  'redis-server is not installed: run `sudo apt-get install -y redis-server` (macOS: `brew install redis`), or set REDIS_URL to a running Redis';

/** A setup problem the demo explains in one line and exits 1 for. */
export class DemoSetupError extends Error {
  override readonly name = 'DemoSetupError';
}

export interface DemoRedis {
  readonly url: string;
  /** The process the demo started (none for REDIS_URL). */
  readonly pid: number | undefined;
  /** True when REDIS_URL pointed at a Redis the demo did not start (it is left running). */
  readonly external: boolean;
  stop(): Promise<void>;
}

/** Sends PING over a raw connection; true on +PONG (or -NOAUTH: something Redis-like is there). */
function ping(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

/** The redis-server binary, or a DemoSetupError whose message says how to install it. */
export function findRedisBinary(searchPath?: string): string {
  const binary = which('redis-server', searchPath, []);
  if (!binary) throw new DemoSetupError(REDIS_INSTALL_HINT);
  return binary;
}

export interface StartRedisOptions {
  /** Use this Redis instead of starting one. */
  url?: string;
  port: number;
  /** Data and log folder. */
  dir: string;
  /** @default findRedisBinary() */
  binary?: string;
}

export async function startDemoRedis(options: StartRedisOptions): Promise<DemoRedis> {
  if (options.url) {
    const parsed = new URL(options.url);
    const ok = await ping(parsed.hostname, Number(parsed.port || 6379), 2000);
    if (!ok) throw new DemoSetupError(`REDIS_URL=${parsed.protocol}//${parsed.host} does not answer PING`);
    return { url: options.url, external: true, pid: undefined, stop: async () => {} };
  }
  const binary = options.binary ?? findRedisBinary();
  const dataDir = join(options.dir, 'redis');
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(options.dir, 'redis.log');
  const child = spawnProcess({
    name: 'redis-server',
    command: binary,
    logFile,
    args: [
      '--port', String(options.port),
      '--bind', '127.0.0.1',
      '--dir', dataDir,
      '--save', '',
      // Every acknowledged write survives a crash of redis-server itself (see README on persistence).
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      // A gateway that stops reading its replies is cut off instead of growing Redis (same as docker-compose.yml).
      '--client-output-buffer-limit', 'normal 64mb 32mb 10',
      '--protected-mode', 'no',
      '--loglevel', 'warning',
    ],
  });
  try {
    await child.waitFor(() => ping('127.0.0.1', options.port), { timeoutMs: 10_000, what: `listening on port ${options.port}; see ${logFile}` });
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${options.port}`,
    external: false,
    get pid() {
      return child.running ? child.pid : undefined;
    },
    stop: async () => void (await child.stop(3000)),
  };
}

import { join } from 'node:path';
import { answersPing, startRedis } from '../../test/support/redis-server.ts';
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
    const ok = await answersPing(parsed.hostname, Number(parsed.port || 6379), 2000);
    if (!ok) throw new DemoSetupError(`REDIS_URL=${parsed.protocol}//${parsed.host} does not answer PING`);
    return { url: options.url, external: true, pid: undefined, stop: async () => {} };
  }
  const redis = await startRedis({
    port: options.port,
    dir: join(options.dir, 'redis'),
    logFile: join(options.dir, 'redis.log'),
    binary: options.binary ?? findRedisBinary(),
    // Every acknowledged write survives a crash of redis-server itself (see README on persistence).
    appendFsync: 'everysec',
    // A gateway that stops reading its replies is cut off instead of growing Redis (same as docker-compose.yml).
    args: ['--client-output-buffer-limit', 'normal 64mb 32mb 10'],
  });
  return {
    url: redis.url,
    external: false,
    get pid() {
      return redis.running ? redis.pid : undefined;
    },
    stop: () => redis.stop(),
  };
}

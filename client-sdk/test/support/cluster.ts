import { vi } from 'vitest';
import { startRedis, type RedisServer } from '../../../test/support/redis-server.ts';
import { mintToken, startGateway, type GatewayProcess, type GatewayProcessOptions } from '../../../test/support/gateway-process.ts';
import { createSyncClient, type SyncClient, type SyncClientOptions } from '../../src/index.ts';

export interface Cluster {
  readonly redis: RedisServer | null;
  readonly nodes: GatewayProcess[];
  stop(): Promise<void>;
}

/** Real gateway processes: `nodes` of them on one real Redis, or a single memory-engine node with `redis: false`. */
export async function startCluster(options: { nodes?: number; redis?: boolean; env?: GatewayProcessOptions['env'] } = {}): Promise<Cluster> {
  const redis = options.redis === false ? null : await startRedis();
  const count = options.redis === false ? 1 : (options.nodes ?? 2);
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      startGateway({
        ...(redis ? { redisUrl: redis.url } : {}),
        nodeId: `node-${i + 1}`,
        // The machine is shared: under load a node can take well over the default to boot.
        readyTimeoutMs: 50_000,
        env: { RATE_LIMIT_PER_SEC: '1000', RATE_LIMIT_BURST: '1000', ...options.env },
      }),
    ),
  );
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await redis?.stop();
    throw failure.reason;
  }
  return {
    redis,
    nodes,
    async stop() {
      await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
      await redis?.stop();
    },
  };
}

/** vi.waitFor with room for a loaded machine (its default gives up after one second). */
export function eventually<T>(check: () => T | Promise<T>, timeout = 20_000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 20 });
}

let users = 0;
/** A user id no other test uses. */
export function newUser(prefix = 'user'): string {
  users++;
  return `${prefix}-${process.pid}-${users}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A getToken for the user, minting a fresh test token on every call. */
export function tokens(userId: string, options: { ttlSec?: number; onMint?: () => void } = {}): () => Promise<string> {
  return async () => {
    options.onMint?.();
    return mintToken({ userId, ...(options.ttlSec === undefined ? {} : { ttlSec: options.ttlSec }) });
  };
}

/** Creates clients and closes them all at the end of a test. */
export function clientFactory() {
  const clients: SyncClient[] = [];
  return {
    create(options: SyncClientOptions): SyncClient {
      const client = createSyncClient({ backoff: { baseMs: 100, capMs: 1000 }, ...options });
      clients.push(client);
      return client;
    },
    async closeAll() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    },
  };
}

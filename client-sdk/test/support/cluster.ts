import { afterAll, afterEach, beforeAll, vi } from 'vitest';
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

export interface ClusterFixture {
  readonly cluster: Cluster;
  readonly clients: ReturnType<typeof clientFactory>;
  /** The client URL of node `n`, counted from 1. */
  url(n: number): string;
  /** The admin URL (backend API, /metrics) of node `n`, counted from 1. */
  adminUrl(n: number): string;
}

/**
 * A cluster started before the file's tests and stopped after them, and a client factory whose clients are
 * closed after each test (`closeClients: 'each'`, the default) or once at the end.
 */
export function useCluster(options: Parameters<typeof startCluster>[0] & { closeClients?: 'each' | 'all' } = {}): ClusterFixture {
  const { closeClients = 'each', ...clusterOptions } = options;
  let cluster: Cluster | undefined;
  const clients = clientFactory();
  const node = (n: number) => {
    const found = cluster?.nodes[n - 1];
    if (!found) throw new Error(`useCluster: no node ${n} (${cluster ? 'out of range' : 'used before its beforeAll ran'})`);
    return found;
  };
  beforeAll(async () => {
    cluster = await startCluster(clusterOptions);
  });
  if (closeClients === 'each') afterEach(() => clients.closeAll());
  afterAll(async () => {
    await clients.closeAll();
    await cluster?.stop();
  });
  return {
    get cluster() {
      if (!cluster) throw new Error('useCluster: used before its beforeAll ran');
      return cluster;
    },
    clients,
    url: (n) => node(n).url,
    adminUrl: (n) => node(n).adminUrl,
  };
}

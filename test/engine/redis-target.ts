import { vi } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import type { Engine } from '../../server/engine/engine.ts';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { createRedisEngine } from '../../server/engine/redis/redis-engine.ts';
import type { ContractTarget } from './engine-contract.ts';

/** Where the Redis engines connect, and how that store loses its data. */
export interface RedisStore {
  connection: { url: string } | { clusterNodes: string[] };
  /** Restarts the store with no data. */
  wipe(): Promise<void>;
}

export function newCommandsClient(store: RedisStore): Redis | Cluster {
  return createRedisClient({ ...store.connection, role: 'commands' });
}

/** A contract target whose engines each own a fresh commands connection to the store. */
export function redisTarget(store: RedisStore): ContractTarget {
  return {
    async createEngines(options, count) {
      return Promise.all(
        Array.from({ length: count }, async () => {
          const redis = newCommandsClient(store);
          await waitForReady(redis);
          return createRedisEngine({ ...options, redis });
        }),
      );
    },
    async loseData(engine: Engine) {
      await store.wipe();
      // The engine's client reconnects on its own; fail-fast commands answer `unavailable` until it has.
      await vi.waitFor(() => engine.ping(), { timeout: 15_000, interval: 50 });
      return engine;
    },
  };
}

import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.ts';
import { presenceOf, scanKeys } from '../support/user-keys.ts';
import { adminContract } from './admin-contract.ts';
import { adminExactlyOnceContract } from './admin-contract-exactly-once.ts';

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ appendOnly: false });
});
afterAll(async () => {
  await cluster?.stop();
});

/** Every key of the user on every primary (SCAN each), and its entries in the shared presence index. */
async function keysOf(userId: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of cluster.primaries()) {
    const direct = new Redis(node.url);
    try {
      found.push(...(await scanKeys(direct, `*${userId}*`)));
    } finally {
      direct.disconnect();
    }
  }
  const client = new Cluster(cluster.seeds.map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })));
  try {
    found.push(...(await presenceOf(client, userId)));
  } finally {
    client.disconnect();
  }
  return found;
}

adminContract('redis cluster', () => ({ env: () => ({ REDIS_CLUSTER_NODES: cluster.seeds.join(',') }), keysOf }));
adminExactlyOnceContract('redis cluster', () => ({ env: () => ({ REDIS_CLUSTER_NODES: cluster.seeds.join(',') }), keysOf }));

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { startRedisCluster, type RedisCluster } from './redis-cluster.ts';

describe('the Redis Cluster starter with replicas', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster({ replicas: 1, appendOnly: true });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts three primaries each followed by one replica, with ports and pids', async () => {
    expect(cluster.primaries()).toHaveLength(3);
    expect(cluster.replicas()).toHaveLength(3);
    const primaryPorts = cluster.primaries().map((node) => node.port);
    for (const replica of cluster.replicas()) expect(primaryPorts).toContain(replica.replicaOf);
    expect(new Set(cluster.replicas().map((node) => node.replicaOf)).size).toBe(3);
    for (const node of cluster.nodes) expect(node.pid).toBeGreaterThan(0);
    const topology = await cluster.topology();
    expect(topology.filter((state) => state.role === 'primary').map((state) => state.port).sort()).toEqual([...primaryPorts].sort());
  });

  it("promotes a killed primary's replica, which then serves that primary's keys", async () => {
    const client = new Cluster(cluster.seeds.map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })), {
      clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
    });
    try {
      const slot = Number(await client.call('CLUSTER', 'KEYSLOT', '{k}'));
      const slots = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      const owner = slots.find(([from, to]) => slot >= from && slot <= to)?.[2][1];
      const primary = cluster.primaries().find((node) => node.port === owner);
      if (!primary) throw new Error(`no primary owns slot ${slot}`);
      // WAIT on the writing connection: the replica holds the write before its primary dies.
      const direct = new Redis(primary.url);
      await direct.set('{k}', 'before');
      expect(await direct.call('WAIT', '1', '5000')).toBe(1);
      direct.disconnect();
      await primary.kill();
      const promoted = await cluster.waitForPromotion(primary);
      expect(promoted.replicaOf).toBe(primary.port);
      await cluster.waitHealthy();
      const states = await cluster.topology();
      expect(states.find((state) => state.port === promoted.port)?.role).toBe('primary');
      expect(states.find((state) => state.port === primary.port)?.alive).toBe(false);
      expect(await client.get('{k}')).toBe('before');
    } finally {
      client.disconnect();
    }
  });
});

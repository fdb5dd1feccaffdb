import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../../support/redis-server.ts';
import { waitUntil } from './stats.ts';

const run = promisify(execFile);

/** A three-master Redis Cluster on loopback (no replicas), for scenario 7. */
export interface RedisClusterHandle {
  readonly nodes: RedisServer[];
  /** `host:port` seeds for REDIS_CLUSTER_NODES. */
  readonly seeds: string[];
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      nodes.push(await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'] }));
    }
    const seeds = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...seeds, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const ok = await waitUntil(async () => {
      const states = await Promise.all(nodes.map((n) => clusterState(n.port)));
      return states.every((s) => s === 'ok');
    }, 20_000, 100);
    if (ok === null) throw new Error('redis cluster did not reach cluster_state:ok within 20 s');
    return {
      nodes,
      seeds,
      async stop() {
        for (const n of nodes) await n.stop();
      },
    };
  } catch (err) {
    for (const n of nodes) await n.stop();
    throw err;
  }
}

async function clusterState(port: number): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const info = String(await client.call('CLUSTER', 'INFO'));
    return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
  } catch {
    return 'down';
  } finally {
    client.disconnect();
  }
}

/**
 * A Redis Sentinel deployment on loopback from the machine's binaries: one primary, N replicas and three
 * real `redis-sentinel` processes watching it, each on a free port, all supervised (killed by process group).
 *
 *   const ha = await startRedisSentinel({ replicas: 2 });
 *   // gateways: REDIS_SENTINELS=ha.sentinelList, REDIS_SENTINEL_NAME=ha.name
 *   await ha.primary().kill();                         // kill -9
 *   const promoted = await ha.waitForPromotion(oldPort); // a replica, named by the Sentinels
 *   await ha.stop();
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { systemBinary } from './redis-binary.ts';
import { freePort } from './free-port.ts';
import { startRedis, type RedisServer } from './redis-server.ts';
import { startProcess, type Supervised } from './supervisor.ts';
import { poll } from './timing.ts';

export interface RedisSentinelOptions {
  /** @default 2 */
  replicas?: number;
  /** The group name the Sentinels monitor. @default 'tandem' */
  name?: string;
  /** `down-after-milliseconds`: how long a silent primary takes to be declared down. @default 1000 */
  downAfterMs?: number;
  /** `failover-timeout`. @default 5000 */
  failoverTimeoutMs?: number;
  /** append-only persistence with fsync on every write, on every data node. @default true */
  appendOnly?: boolean;
}

export interface RedisSentinel {
  readonly name: string;
  /** The data nodes: the first one starts as the primary. */
  readonly servers: readonly RedisServer[];
  /** `127.0.0.1:port` of the three Sentinels, for REDIS_SENTINELS. */
  readonly sentinels: readonly string[];
  /** The same, joined with commas. */
  readonly sentinelList: string;
  /** The data node the Sentinels name as primary now (asks them). */
  currentPrimaryPort(): Promise<number>;
  /** The data node on `port`. */
  server(port: number): RedisServer;
  /** Waits until every replica follows the primary with its link up. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Waits until the Sentinels name a primary other than `oldPort`; returns its port. */
  waitForPromotion(oldPort: number, timeoutMs?: number): Promise<number>;
  /** Kills the Sentinels and the data nodes and deletes their folders. */
  stop(): Promise<void>;
}

async function askSentinel(port: number, name: string): Promise<number | null> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const reply = (await client.call('SENTINEL', 'get-master-addr-by-name', name)) as [string, string] | null;
    return reply ? Number(reply[1]) : null;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinel> {
  const name = options.name ?? 'tandem';
  const replicaCount = options.replicas ?? 2;
  const appendOnly = options.appendOnly ?? true;
  const binary = systemBinary('redis-sentinel');
  const servers: RedisServer[] = [];
  const sentinels: Supervised[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sentinel-'));
  const stop = async () => {
    await Promise.all(sentinels.map((s) => s.stop(2000)));
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primary = await startRedis({ appendOnly });
    servers.push(primary);
    for (let i = 0; i < replicaCount; i++) {
      // replica-priority equal for all: Sentinel picks the replica with the largest replication offset.
      servers.push(await startRedis({ appendOnly, args: ['--replicaof', '127.0.0.1', String(primary.port)] }));
    }
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${i}.conf`);
      // Sentinel rewrites its file (known replicas, epochs): one writable file per Sentinel.
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          'protected-mode no',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const proc = await startProcess({
        name: `sentinel-${i}`,
        command: binary,
        args: [conf, '--loglevel', 'warning'],
        ready: { probe: async () => (await askSentinel(port, name)) === primary.port },
        readyTimeoutMs: 15_000,
      });
      sentinels.push(Object.assign(proc, { port }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const sentinelPorts = sentinels.map((s) => (s as Supervised & { port: number }).port);
  const addresses = sentinelPorts.map((p) => `127.0.0.1:${p}`);

  const currentPrimaryPort = async (): Promise<number> => {
    for (const port of sentinelPorts) {
      const answer = await askSentinel(port, name);
      if (answer !== null) return answer;
    }
    throw new Error('no Sentinel answered');
  };

  const server = (port: number) => {
    const found = servers.find((s) => s.port === port);
    if (!found) throw new Error(`no data node on port ${port}`);
    return found;
  };

  return {
    name,
    servers,
    sentinels: addresses,
    sentinelList: addresses.join(','),
    currentPrimaryPort,
    server,
    async waitHealthy(timeoutMs = 15_000) {
      const primaryPort = await currentPrimaryPort();
      const probe = new Redis({ host: '127.0.0.1', port: primaryPort, maxRetriesPerRequest: 1 });
      probe.on('error', () => undefined);
      try {
        await poll(
          async () => {
            const info = await probe.info('replication');
            const online = info.split('\n').filter((l) => /^slave\d+:.*state=online/.test(l)).length;
            return online >= servers.length - 1 || online >= replicaCount;
          },
          { what: `${replicaCount} replica(s) online`, timeoutMs },
        );
      } finally {
        probe.disconnect();
      }
    },
    async waitForPromotion(oldPort, timeoutMs = 20_000) {
      return poll(
        async () => {
          const port = await currentPrimaryPort();
          if (port === oldPort) return null;
          // The Sentinels named it; wait until it acts as a primary too.
          const probe = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
          probe.on('error', () => undefined);
          try {
            await probe.connect();
            return (await probe.info('replication')).includes('role:master') ? port : null;
          } finally {
            probe.disconnect();
          }
        },
        { what: `the Sentinels promoting a replica of ${oldPort}`, timeoutMs, everyMs: 100 },
      );
    },
    stop,
  };
}

import type { Cluster as RedisCluster, Redis } from 'ioredis';
import type { Change, Snapshot } from '../../../client-sdk/src/protocol/index.ts';
import type { Engine } from '../../../server/engine/engine.ts';
import { createRedisClient, waitForReady } from '../../../server/engine/redis/redis-client.ts';
import { createRedisEngine } from '../../../server/engine/redis/redis-engine.ts';
import { userKeys } from '../../../server/engine/redis/keys.ts';
import { startGateway, type GatewayProcess, type ProcessExit } from '../../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../../support/redis-server.ts';
import type { Cleanup } from '../../support/cleanup.ts';
import type { ServerTruth } from './invariants.ts';
import { startRedisCluster, type RedisCluster as RedisClusterHandle } from '../../support/redis-cluster.ts';
import { startRedisSentinel, type RedisSentinel } from '../../support/redis-sentinel.ts';
import { waitUntil } from './stats.ts';

export interface ClusterOptions {
  cleanup: Cleanup;
  /** @default 3 */
  nodes?: number;
  /** A three-master Redis Cluster instead of one redis-server (scenario 7). @default false */
  redisCluster?: boolean;
  /** Replicas per Cluster primary (with `redisCluster`). @default 0 */
  clusterReplicas?: number;
  /** Redis behind Sentinel: 1 primary, this many replicas, 3 sentinels (instead of one redis-server). */
  sentinel?: { replicas: number };
  /** Extra gateway environment (rate limits, ping, drain window...). */
  env?: Record<string, string>;
}

/** A gateway exit that nobody asked for. */
export interface Crash {
  nodeId: string;
  exit: ProcessExit;
  lastLines: string[];
}

/**
 * The cluster supervisor: a real Redis (append-only, fsync always) or Redis Cluster, N gateway processes, and
 * every fault the scenarios inject. Any gateway exit it did not cause is recorded as a crash.
 */
export interface FaultCluster {
  readonly gateways: readonly GatewayProcess[];
  readonly urls: string[];
  readonly redis: RedisServer | null;
  readonly redisCluster: RedisClusterHandle | null;
  readonly sentinel: RedisSentinel | null;
  /** Reads the truth through the product's Redis engine, as a gateway would. */
  readonly engine: Engine;
  crashes(): Crash[];
  /** kill -9 (or another signal) of a node; the exit is expected. */
  killNode(index: number, signal?: 'SIGKILL' | 'SIGTERM'): Promise<ProcessExit>;
  freezeNode(index: number): void;
  thawNode(index: number): void;
  restartNode(index: number): Promise<void>;
  killRedis(): Promise<void>;
  restartRedis(options?: { wipe?: boolean }): Promise<void>;
  freezeRedis(): void;
  thawRedis(): void;
  /** `CLIENT KILL TYPE pubsub`: drops every subscriber connection (the adapter's), nothing else. */
  killPubsubClients(): Promise<number>;
  truth(userId: string): Promise<ServerTruth>;
  /** Whether /readyz of node `index` answers 200. */
  ready(index: number): Promise<boolean>;
  /** Gateway log lines of every node (for the token and warning checks). */
  logs(): string[];
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<FaultCluster> {
  const { cleanup } = options;
  const count = options.nodes ?? 3;
  let redis: RedisServer | null = null;
  let redisCluster: RedisClusterHandle | null = null;
  const redisEnv: Record<string, string> = {};
  let sentinel: RedisSentinel | null = null;
  if (options.sentinel) {
    sentinel = await startRedisSentinel({ replicas: options.sentinel.replicas });
    const handle = sentinel;
    cleanup.add('redis sentinel', () => handle.stop());
    await handle.waitHealthy();
    redisEnv.REDIS_SENTINELS = handle.sentinelList;
    redisEnv.REDIS_SENTINEL_NAME = handle.name;
  } else if (options.redisCluster) {
    redisCluster = await startRedisCluster({ appendOnly: true, replicas: options.clusterReplicas ?? 0 });
    const handle = redisCluster;
    cleanup.add('redis cluster', () => handle.stop());
    redisEnv.REDIS_CLUSTER_NODES = handle.seeds.join(',');
  } else {
    redis = await startRedis({ appendOnly: true });
    const handle = redis;
    cleanup.add('redis', () => handle.stop());
    redisEnv.REDIS_URL = handle.url;
  }

  const crashes: Crash[] = [];
  const expected = new Set<GatewayProcess>();
  const gateways: GatewayProcess[] = [];
  const watch = (gw: GatewayProcess) => {
    void gw.exited().then((exit) => {
      if (expected.has(gw)) return;
      crashes.push({ nodeId: gw.nodeId, exit, lastLines: gw.logs().slice(-15) });
    });
  };
  const env = { LOG_LEVEL: 'warn', ...redisEnv, ...(options.env ?? {}) };
  const started = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      startGateway({ nodeId: `n${i + 1}`, env, ...(redis ? { redisUrl: redis.url } : {}), readyTimeoutMs: 60_000 }),
    ),
  );
  for (const gw of started) {
    gateways.push(gw);
    watch(gw);
    cleanup.add(`gateway ${gw.nodeId}`, async () => {
      expected.add(gw);
      await gw.kill('SIGKILL');
    });
  }

  const commands: Redis | RedisCluster = createRedisClient({
    ...(redis ? { url: redis.url } : {}),
    ...(redisCluster ? { clusterNodes: [...redisCluster.seeds] } : {}),
    ...(sentinel ? { sentinel: { sentinels: sentinel.sentinels.map((a) => ({ host: '127.0.0.1', port: Number(a.split(':')[1]) })), name: sentinel.name, password: null } } : {}),
    role: 'commands',
    commandTimeoutMs: 5000,
  });
  await waitForReady(commands);
  const engine = createRedisEngine({ redis: commands, rateLimit: { perSecond: 1e6, burst: 1e6 }, maxDevices: 1000 });
  cleanup.add('truth engine', () => engine.close());

  const node = (index: number): GatewayProcess => {
    const gw = gateways[index];
    if (!gw) throw new Error(`no gateway ${index}`);
    return gw;
  };
  const needRedis = (): RedisServer => {
    if (!redis) throw new Error('this fault needs a single redis-server');
    return redis;
  };

  /**
   * After a fork to a new epoch (the store went back in time) `sync` from version 0 cannot reach back (the new
   * epoch starts where the old history ended), yet the log still holds every surviving change of both: read it
   * whole, so the exactly-once check by device and seq runs across the fork. Null once it was trimmed.
   */
  const wholeLog = async (userId: string): Promise<Change[] | null> => {
    const raw = await commands.lrange(userKeys(userId).log, 0, -1);
    const changes = raw.map((line) => JSON.parse(line) as Change);
    return changes[0]?.version === 1 ? changes : null;
  };

  const truth = async (userId: string): Promise<ServerTruth> => {
    // After a failover the reading connection needs a moment to follow the new primary too; the deadline keeps
    // a connection that never comes back a failure of the run, not a hang of it.
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; attempt < 100 && Date.now() < deadline; attempt++) {
      try {
        const snap = await engine.sync(userId, null);
        if (snap.kind !== 'snapshot') throw new Error('sync(null) must answer a snapshot');
        const rest = await engine.sync(userId, { epoch: snap.epoch, version: 0 });
        // Something committed between the two reads: read again.
        if (rest.epoch !== snap.epoch || rest.version !== snap.version) continue;
        const log: Change[] | null = rest.kind === 'changes' ? rest.changes : await wholeLog(userId);
        if (log !== null && rest.kind !== 'changes' && log.at(-1)?.version !== snap.version) continue;
        const state: Snapshot = snap.state;
        return { userId, epoch: snap.epoch, version: snap.version, state, log };
      } catch (err) {
        if (attempt === 99 || Date.now() >= deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`could not read a stable state of ${userId} within 30 s`);
  };

  return {
    gateways,
    get urls() {
      return gateways.map((g) => g.url);
    },
    redis,
    redisCluster,
    sentinel,
    engine,
    crashes: () => [...crashes],
    async killNode(index, signal = 'SIGKILL') {
      const gw = node(index);
      expected.add(gw);
      return gw.kill(signal);
    },
    freezeNode: (index) => node(index).signal('SIGSTOP'),
    thawNode: (index) => node(index).signal('SIGCONT'),
    async restartNode(index) {
      const gw = node(index);
      expected.add(gw);
      await gw.restart();
      expected.delete(gw);
      watch(gw);
    },
    killRedis: () => needRedis().kill(),
    async restartRedis(restartOptions = {}) {
      const r = needRedis();
      await r.restart(restartOptions);
    },
    freezeRedis: () => needRedis().signal('SIGSTOP'),
    thawRedis: () => needRedis().signal('SIGCONT'),
    async killPubsubClients() {
      const reply = await commands.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      return Number(reply);
    },
    truth,
    async ready(index) {
      try {
        const res = await fetch(`${node(index).url}/readyz`, { signal: AbortSignal.timeout(1000) });
        return res.ok;
      } catch {
        return false;
      }
    },
    logs: () => gateways.flatMap((g) => g.logs()),
    async stop() {
      for (const gw of gateways) {
        expected.add(gw);
        await gw.kill('SIGKILL');
      }
      await engine.close();
      await redis?.stop();
      await redisCluster?.stop();
      await sentinel?.stop();
    },
  };
}

/** Waits until node `index` answers /readyz with `want`; the time it took, or null. */
export function waitReadiness(cluster: FaultCluster, index: number, want: boolean, timeoutMs: number): Promise<number | null> {
  return waitUntil(async () => (await cluster.ready(index)) === want, timeoutMs, 50);
}

/**
 * The one Redis Cluster starter: N primaries (default 3), optionally each with replicas, on loopback from the
 * machine's binaries. Nodes carry their role, port and pid, so a test can kill -9 a primary and wait for its
 * replica's promotion:
 *
 *   const cluster = await startRedisCluster({ replicas: 1 });          // 3 primaries + 3 replicas
 *   const [primary] = cluster.primaries();
 *   await primary.kill();
 *   const promoted = await cluster.waitForPromotion(primary);          // its replica, now a primary
 *   await cluster.waitHealthy();
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { systemBinary } from './redis-binary.ts';
import { startRedis, type RedisServer } from './redis-server.ts';
import { poll } from './timing.ts';

const run = promisify(execFile);

export type ClusterRole = 'primary' | 'replica';

/** One node of the cluster: a redis-server with the role it was given at creation. */
export interface ClusterNode extends RedisServer {
  /** Cluster node id (40 hex characters). */
  readonly id: string;
  /** Role at creation; after a failover ask `cluster.topology()`. */
  readonly role: ClusterRole;
  /** For a replica: the port of the primary it was created to follow; null for a primary. */
  readonly replicaOf: number | null;
}

/** A node's role as the cluster sees it now. */
export interface NodeState {
  readonly port: number;
  readonly id: string;
  readonly role: ClusterRole;
  /** The primary a replica follows (node id), or null. */
  readonly primaryId: string | null;
  /** False for a node the cluster marks `fail` or that does not answer. */
  readonly alive: boolean;
}

export interface RedisClusterOptions {
  /** @default 3 */
  primaries?: number;
  /** Replicas per primary (`--cluster-replicas`). @default 0 */
  replicas?: number;
  /** append-only persistence with fsync on every write. @default false */
  appendOnly?: boolean;
  /** cluster-node-timeout: how long a silent primary takes to be failed over. @default 2000 */
  nodeTimeoutMs?: number;
}

export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** `127.0.0.1:port` of every node, the seeds for ioredis' Cluster (REDIS_CLUSTER_NODES). */
  readonly seeds: readonly string[];
  /** The nodes created as primaries / replicas. */
  primaries(): ClusterNode[];
  replicas(): ClusterNode[];
  /** Every node's role now, as the answering nodes see it (CLUSTER NODES). */
  topology(): Promise<NodeState[]>;
  /** Resolves when every running node reports `cluster_state:ok` and every running replica's link is up. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Resolves with the node that replaced `primary` (one of its replicas, promoted) once the cluster says so. */
  waitForPromotion(primary: ClusterNode, timeoutMs?: number): Promise<ClusterNode>;
  stop(): Promise<void>;
}

async function ask(port: number, ...command: string[]): Promise<string | null> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  try {
    await client.connect();
    return String(await client.call(command[0] ?? 'PING', ...command.slice(1)));
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

/** Parses CLUSTER NODES: `<id> <ip:port@bus> <flags> <primary|-> ...`. */
function parseNodes(text: string, withSelf = false): (NodeState & { self: boolean })[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', primary = '-'] = line.split(' ');
      const flagList = flags.split(',');
      return {
        id,
        port: Number(/:(\d+)/.exec(address)?.[1] ?? 0),
        role: flagList.includes('master') ? 'primary' : 'replica',
        primaryId: primary === '-' ? null : primary,
        alive: !flagList.includes('fail') && !flagList.includes('fail?'),
        self: withSelf && flagList.includes('myself'),
      };
    });
}

function clusterNode(server: RedisServer, id: string, role: ClusterRole, replicaOf: number | null): ClusterNode {
  return {
    id,
    role,
    replicaOf,
    port: server.port,
    url: server.url,
    dir: server.dir,
    get pid() {
      return server.pid;
    },
    get running() {
      return server.running;
    },
    signal: (signal) => server.signal(signal),
    kill: () => server.kill(),
    restart: (restartOptions) => server.restart(restartOptions),
    stop: () => server.stop(),
  };
}

async function healthy(node: ClusterNode): Promise<boolean> {
  const info = await ask(node.port, 'CLUSTER', 'INFO');
  if (!info?.includes('cluster_state:ok')) return false;
  const replication = await ask(node.port, 'INFO', 'replication');
  return replication !== null && (!replication.includes('role:slave') || replication.includes('master_link_status:up'));
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const primaryCount = options.primaries ?? 3;
  const replicasEach = options.replicas ?? 0;
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let i = 0; i < primaryCount * (1 + replicasEach); i += 1) {
      servers.push(
        await startRedis({
          appendOnly: options.appendOnly ?? false,
          // nodes.conf lives in the node's own data folder, so a restart (without wipe) rejoins the cluster.
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2000)],
        }),
      );
    }
    const seeds = servers.map((server) => `127.0.0.1:${server.port}`);
    // redis-cli makes the first `primaryCount` addresses the primaries and spreads the rest as their replicas.
    await run(systemBinary('redis-cli'), ['--cluster', 'create', ...seeds, '--cluster-replicas', String(replicasEach), '--cluster-yes'], { timeout: 30_000 });
    const nodes: ClusterNode[] = [];
    for (const server of servers) {
      // Each node's own line (flag `myself`) is exact at once; other nodes learn the replica links by gossip.
      const states = parseNodes((await ask(server.port, 'CLUSTER', 'NODES')) ?? '', true);
      const self = states.find((state) => state.self);
      if (!self) throw new Error(`redis cluster: node on port ${server.port} does not answer CLUSTER NODES`);
      const primaryPort = states.find((state) => state.id === self.primaryId)?.port ?? null;
      nodes.push(clusterNode(server, self.id, self.role, primaryPort));
    }

    const topology = async (): Promise<NodeState[]> => {
      for (const node of nodes) {
        const text = await ask(node.port, 'CLUSTER', 'NODES');
        if (text !== null) {
          const states = parseNodes(text);
          return nodes.map((each) => {
            const state = states.find((entry) => entry.id === each.id);
            if (!state) return { port: each.port, id: each.id, role: each.role, primaryId: null, alive: false };
            return { port: state.port, id: state.id, role: state.role, primaryId: state.primaryId, alive: state.alive && each.running };
          });
        }
      }
      return [];
    };

    const cluster: RedisCluster = {
      nodes,
      seeds,
      primaries: () => nodes.filter((node) => node.role === 'primary'),
      replicas: () => nodes.filter((node) => node.role === 'replica'),
      topology,
      async waitHealthy(timeoutMs = 20_000) {
        await poll(
          async () => {
            const running = nodes.filter((node) => node.running);
            const answers = await Promise.all(running.map((node) => healthy(node)));
            return answers.every(Boolean);
          },
          { what: 'redis cluster healthy (cluster_state:ok, replica links up)', timeoutMs, everyMs: 100 },
        );
      },
      async waitForPromotion(primary, timeoutMs = 20_000) {
        return poll(
          async () => {
            const states = await topology();
            const promoted = states.find((state) => state.role === 'primary' && state.alive && nodes.find((n) => n.id === state.id)?.replicaOf === primary.port);
            return promoted ? nodes.find((node) => node.id === promoted.id) : undefined;
          },
          { what: `a replica of the primary on port ${primary.port} promoted`, timeoutMs, everyMs: 100 },
        );
      },
      stop,
    };
    await cluster.waitHealthy();
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}

import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { reviveEndedSentinelClient } from './sentinel-revival.ts';

export type RedisRole = 'commands' | 'publisher' | 'subscriber';

export interface RedisClientOptions {
  /** `redis://host:port` of a single Redis. */
  url?: string;
  /** `host:port` seed nodes of a Redis Cluster (takes precedence over `url`). */
  clusterNodes?: string[];
  /** Sentinels that name the current primary of `name` (takes precedence over both). */
  sentinel?: { sentinels: Array<{ host: string; port: number }>; name: string; password: string | null };
  /** Password of the Redis nodes (a `url` carries its own). */
  password?: string | null;
  /**
   * `commands` (engine scripts) and `publisher` (adapter) fail fast while Redis is away;
   * `subscriber` (adapter) queues its subscriptions and restores them on reconnect.
   */
  role: RedisRole;
  /** How long a command may wait for its reply before it fails (commands and publisher). @default 1000 */
  commandTimeoutMs?: number;
  /** Receives connection errors (without a listener ioredis prints "Unhandled error event"). @default ignore */
  onError?: (err: Error) => void;
}

/**
 * Reconnect delay: doubling from 50 ms, capped at 500 ms, with jitter so nodes do not reconnect in lockstep.
 * A refused connect to a dead Redis costs nothing; the cap is how late a node may notice Redis is back.
 */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(500, 50 * 2 ** Math.min(attempt, 10));
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

/**
 * ioredis defaults queue commands without bound and retry them for over a minute. Here:
 * - commands/publisher: no offline queue (a command while disconnected fails at once), a command timeout,
 *   one retry, and no silent resend of unanswered commands after a reconnect (the caller got `unavailable`
 *   and retries itself; its seq makes the retry harmless);
 * - subscriber: keeps the offline queue and waits forever, so (s)subscribe calls made during an outage are
 *   sent on reconnect, and ioredis resubscribes what it had;
 * - every role reconnects forever with capped jittered backoff, so recovery after Redis returns is quick;
 * - no auto-pipelining: ioredis keeps one auto-pipeline in flight per connection, so a command would wait
 *   for the previous batch's replies before it is even written: under load that queueing, not Redis, sets
 *   the latency (see README's performance section).
 */
function roleOptions(role: RedisRole, commandTimeoutMs: number): RedisOptions {
  if (role === 'subscriber') {
    return { enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: true };
  }
  return {
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: false,
    enableAutoPipelining: false,
  };
}

/** Creates an ioredis client (standalone or Cluster) with the client discipline of its role. */
export function createRedisClient(options: RedisClientOptions): Redis | Cluster {
  const commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  const { enableOfflineQueue, enableAutoPipelining, ...perConnection } = roleOptions(options.role, commandTimeoutMs);
  const common: RedisOptions = {
    connectTimeout: 2000,
    connectionName: `tandem-${options.role}`,
    // CLIENT SETINFO needs Redis 7.2; on older servers it only adds two failing commands to every (re)connect.
    disableClientInfo: true,
    ...perConnection,
  };
  if (options.password) common.password = options.password;
  let client: Redis | Cluster;
  if (options.sentinel && options.sentinel.sentinels.length > 0) {
    const { sentinels, name, password } = options.sentinel;
    client = new Redis({
      ...common,
      sentinels,
      name,
      ...(password ? { sentinelPassword: password } : {}),
      // Subscribes to the Sentinels' +switch-master: a promotion is followed at once, not at the next error.
      failoverDetector: true,
      sentinelRetryStrategy: reconnectDelay,
      sentinelCommandTimeout: 1000,
      enableOfflineQueue,
      enableAutoPipelining,
      retryStrategy: reconnectDelay,
    });
  } else if (options.clusterNodes && options.clusterNodes.length > 0) {
    const nodes = options.clusterNodes.map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    });
    const clusterOptions: ClusterOptions = {
      clusterRetryStrategy: reconnectDelay,
      clusterNodeRetryStrategy: reconnectDelay,
      enableOfflineQueue,
      enableAutoPipelining,
      // The sharded adapter's SSUBSCRIBE must reach the node that owns the channel's slot.
      shardedSubscribers: options.role === 'subscriber',
      slotsRefreshTimeout: 1000,
      redisOptions: common,
    };
    client = new Cluster(nodes, clusterOptions);
  } else {
    if (!options.url) throw new Error('createRedisClient needs a url or cluster nodes');
    client = new Redis(options.url, { ...common, enableOfflineQueue, enableAutoPipelining, retryStrategy: reconnectDelay });
  }
  const onError = options.onError ?? (() => undefined);
  client.on('error', onError);
  if (client instanceof Redis && options.sentinel && options.sentinel.sentinels.length > 0) reviveEndedSentinelClient(client, () => reconnectDelay(1), onError);
  if (options.role === 'subscriber') guardSubscriptionCalls(client, onError);
  return client;
}

const SUBSCRIPTION_COMMANDS = ['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe'];

/**
 * The socket.io Redis adapter (and ioredis' own resubscription) call (s)subscribe/(s)unsubscribe without
 * handling the promise: one rejected by a disconnect (e.g. at shutdown) would be an unhandled rejection,
 * which ends a Node process. Route those rejections to `onError` instead; callers still get the promise.
 */
function guardSubscriptionCalls(client: Redis | Cluster, onError: (err: Error) => void): void {
  for (const name of SUBSCRIPTION_COMMANDS) {
    const original: unknown = Reflect.get(client, name);
    if (typeof original !== 'function') continue;
    Reflect.set(client, name, (...args: unknown[]): unknown => {
      const result: unknown = Reflect.apply(original, client, args);
      if (result instanceof Promise) result.catch((err: unknown) => onError(err instanceof Error ? err : new Error(String(err))));
      return result;
    });
  }
}

/** Resolves once the client is ready (fail-fast clients refuse commands before that); rejects after `timeoutMs`. */
export function waitForReady(client: Redis | Cluster, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

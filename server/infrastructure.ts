import { createMemoryEngine } from './engine/memory/memory-engine.ts';
import { createRedisClient, waitForReady } from './engine/redis/redis-client.ts';
import { createRedisEngine } from './engine/redis/redis-engine.ts';
import type { Engine } from './engine/engine.ts';
import type { EventDemand } from './webhooks/outbox.ts';
import type { Config } from './config.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import type { AdapterMode, PubSubClients } from './transport/adapter.ts';

export interface Infrastructure {
  engine: Engine;
  /** The adapter's connections; absent for the memory engine (a single node). */
  pubsub?: PubSubClients & { mode: AdapterMode };
  /**
   * Calls `listener` each time the commands connection to the store is back (not its first connect): the
   * store behind it may be another one now (a promoted replica), and every second before the node notices
   * is a second its devices stay on the old history.
   */
  onStoreReconnected?(listener: () => void): void;
  /** Closes the engine and the pub/sub connections. */
  close(): Promise<void>;
}

/** Builds the state store and, with Redis, the adapter's publisher and subscriber connections. */
export async function createInfrastructure(config: Config, logger: Logger, metrics: Metrics, events?: EventDemand): Promise<Infrastructure> {
  const engineOptions = {
    ...(events ? { events } : {}),
    rateLimit: config.rateLimit,
    maxDevices: config.maxDevices,
    // A token may be used until exp plus the clock tolerance: marks older than that refuse nothing alive.
    tokenLifetimeMs: (config.jwt.maxLifetimeSec + config.jwt.clockToleranceSec) * 1000,
    watchRules: config.watch,
    backend: { rateLimit: config.admin.rateLimit, idempotencyTtlMs: config.admin.idempotency.ttlMs, idempotencyMax: config.admin.idempotency.maxPerUser },
  };
  if (config.redis === null) {
    const engine = createMemoryEngine(engineOptions);
    return { engine, close: () => engine.close() };
  }
  const { url, clusterNodes, commandTimeoutMs, adapter, ha } = config.redis;
  const sentinel = { sentinels: ha.sentinels, name: ha.sentinelName, password: ha.sentinelPassword };
  const connect = (role: 'commands' | 'publisher' | 'subscriber') => {
    let lastLogged = 0;
    return createRedisClient({
      ...(url !== null ? { url } : {}),
      clusterNodes,
      sentinel,
      password: ha.password,
      role,
      commandTimeoutMs,
      onError: (err) => {
        metrics.redisErrors.inc({ client: role });
        // Reconnect attempts repeat the same error many times a second; one line per 5 s is enough.
        if (Date.now() - lastLogged > 5000) {
          lastLogged = Date.now();
          logger.warn({ err: err.message, role }, 'redis connection error');
        }
      },
    });
  };
  const commands = connect('commands');
  const pub = connect('publisher');
  const sub = connect('subscriber');
  await Promise.all([waitForReady(commands), waitForReady(pub), waitForReady(sub)]);
  const replicas = { count: ha.minReplicasAck, timeoutMs: ha.replicasAckTimeoutMs };
  const engine = createRedisEngine({ ...engineOptions, redis: commands, commandTimeoutMs, replicas });
  return {
    engine,
    pubsub: { pub, sub, mode: adapter },
    onStoreReconnected(listener) {
      // Built after the first 'ready' (awaited above): every 'ready' seen from here on is a re-connect.
      commands.on('ready', listener);
    },
    async close() {
      await engine.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

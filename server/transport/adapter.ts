import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';

/** The Redis connections the adapter publishes and subscribes on (ioredis, standalone or cluster). */
export interface PubSubClients {
  pub: unknown;
  sub: unknown;
}

/**
 * `sharded`: Redis 7 sharded pub/sub, one channel per user room (`dynamic`), so only nodes holding a room's
 * sockets receive its messages. `classic`: every node pattern-subscribes to every broadcast (kept for the
 * benchmark's comparison).
 */
export type AdapterMode = 'sharded' | 'classic';

export function createPubSubAdapter(clients: PubSubClients, mode: AdapterMode) {
  return mode === 'sharded'
    ? createShardedAdapter(clients.pub, clients.sub, { subscriptionMode: 'dynamic' })
    : createAdapter(clients.pub, clients.sub);
}

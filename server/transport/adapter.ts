import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { FanoutEnvelope } from '../engine/engine.ts';

/** The connection the adapter subscribes on: an ioredis client, standalone or Cluster. */
export interface SubscriberClient {
  ssubscribe(channel: string): Promise<unknown>;
  /** 'ready' after every (re)connect. */
  on(event: 'ready', listener: () => void): unknown;
}

/** The Redis connections the adapter publishes and subscribes on. */
export interface PubSubClients {
  pub: unknown;
  sub: SubscriberClient;
}

/**
 * `sharded`: Redis 7 sharded pub/sub, one channel per user room (`dynamic`), so only nodes holding a room's
 * sockets receive its messages. `classic`: every node pattern-subscribes to every broadcast (kept for the
 * benchmark's comparison).
 */
export type AdapterMode = 'sharded' | 'classic';

const CHANNEL_PREFIX = 'socket.io';
/** socket.io-adapter's MessageType.BROADCAST and socket.io-parser's PacketType.EVENT. */
const BROADCAST = 3;
const EVENT_PACKET = 2;

export function createPubSubAdapter(clients: PubSubClients, mode: AdapterMode) {
  return mode === 'sharded'
    ? createShardedAdapter(clients.pub, clients.sub, { subscriptionMode: 'dynamic', channelPrefix: CHANNEL_PREFIX })
    : createAdapter(clients.pub, clients.sub);
}

/** The sharded adapter's channel for a room of the main namespace (its naming: `<prefix>#<nsp>#<room>#`). */
export function roomChannel(room: string): string {
  return `${CHANNEL_PREFIX}#/#${room}#`;
}

/**
 * The sharded adapter's broadcast message for a `change` push to `room`, minus the change itself, so the
 * mutation script can publish it (see FanoutEnvelope). Every node holding sockets of the room, this one
 * included, delivers it as if another node had broadcast it: `uid` "emitter" is the adapter's id for a
 * publisher outside the cluster (@socket.io/redis-emitter), and the sending socket is excepted.
 */
export function changeEnvelope(room: string, exceptSocketId: string): FanoutEnvelope {
  const opts = { rooms: [room], except: [exceptSocketId], flags: {} };
  return {
    channel: roomChannel(room),
    prefix: `{"uid":"emitter","nsp":"/","type":${BROADCAST},"data":{"opts":${JSON.stringify(opts)},"packet":{"type":${EVENT_PACKET},"nsp":"/","data":["change",`,
    suffix: ']}}}',
  };
}

/**
 * In dynamic mode the adapter subscribes to a room's channel when its first socket joins, without waiting
 * for Redis to confirm. Sending the same SSUBSCRIBE again on the same connection and awaiting its reply is
 * a barrier: Redis answers a connection's commands in order, so once ours is confirmed the adapter's is
 * live too. Resolves at once for the classic adapter (subscribed to everything from the start).
 */
export function roomSubscriptionBarrier(clients: PubSubClients, mode: AdapterMode): (room: string) => Promise<void> {
  if (mode === 'classic') return async () => {};
  return async (room) => {
    await clients.sub.ssubscribe(roomChannel(room));
  };
}

import { Cluster, type Redis } from 'ioredis';
import type { CartLine } from '../../../client-sdk/src/protocol/index.ts';
import { sortCartLines } from '../../../client-sdk/src/rules/index.ts';
import { parseEndpoint, type EndpointRecord } from '../../webhooks/endpoints.ts';
import { parseEntry, parseStates } from '../../webhooks/outbox-entry.ts';
import type { DeadLetter, DeliveryState, FeedPage, OutboxStore, PublicEvent, SealedEvent } from '../../webhooks/outbox.ts';
import { hookKeys, userKeys, userOfOutboxKey } from './keys.ts';
import type { ScriptName } from './scripts.ts';

/** The keys of webhooks outside every user's slot (one slot of their own on a Cluster). */
export const WEBHOOK_KEYS = {
  /** zset userId → when to look next (ms): the hint index, written after the user's script (not atomic). */
  pending: '{webhooks}:pending',
  /** hash id → EndpointRecord JSON. */
  endpoints: '{webhooks}:endpoints',
  /** Bumped on every endpoint change, so nodes notice one with a tiny read per poll. */
  endpointsVersion: '{webhooks}:endpoints:v',
  /** stream of PublicEvent JSON: the pull API's feed. */
  feed: '{webhooks}:feed',
  dead: (endpointId: string) => `{webhooks}:dead:${endpointId}`,
} as const;

/** Most entries the pull feed and one endpoint's dead-letter list keep (oldest go first). */
export const FEED_MAX = 100_000;
export const DEAD_MAX = 10_000;

export interface RedisOutboxDeps {
  redis: Redis | Cluster;
  run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  call<T>(fn: () => Promise<T>): Promise<T>;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const strings = (value: unknown): string[] => list(value).map(String);

export function createRedisOutbox(deps: RedisOutboxDeps): OutboxStore {
  const { redis, run, call } = deps;
  return {
    async dueUsers(limit) {
      return call(() => redis.zrangebyscore(WEBHOOK_KEYS.pending, '-inf', Date.now(), 'LIMIT', 0, limit));
    },
    async markPending(userIds, at) {
      if (userIds.length === 0) return;
      const when = at ?? Date.now();
      // LT: an earlier due time wins (a user already waiting on a retry is looked at when a new event comes).
      await call(() => redis.zadd(WEBHOOK_KEYS.pending, 'LT', ...userIds.flatMap((u) => [when, u])));
    },
    async settle(userId, at) {
      if (at !== null) {
        await call(() => redis.zadd(WEBHOOK_KEYS.pending, at, userId));
        return;
      }
      // Remove first, then look: an event committed after the look re-adds the user itself (its hint comes
      // after its commit), one committed before it is seen here.
      await call(() => redis.zrem(WEBHOOK_KEYS.pending, userId));
      if ((await call(() => redis.llen(hookKeys(userId).outbox))) > 0) await call(() => redis.zadd(WEBHOOK_KEYS.pending, Date.now(), userId));
    },
    async sweep() {
      const primaries = redis instanceof Cluster ? redis.nodes('master') : [redis];
      const found: string[] = [];
      for (const node of primaries) {
        let cursor = '0';
        do {
          const [next, keys] = await call(() => node.scan(cursor, 'MATCH', '{u:*}:outbox', 'COUNT', 1000));
          cursor = next;
          for (const key of keys) {
            const userId = userOfOutboxKey(key);
            if (userId !== null) found.push(userId);
          }
        } while (cursor !== '0');
      }
      for (let i = 0; i < found.length; i += 500) await this.markPending(found.slice(i, i + 500));
      return found.length;
    },
    async claim(userId, owner, leaseMs) {
      return Number(await run('outboxLease', [hookKeys(userId).lease], [owner, Math.max(1, Math.round(leaseMs))])) === 1;
    },
    async release(userId, owner) {
      await run('outboxLease', [hookKeys(userId).lease], [owner, 0]);
    },
    async seal(userId, options) {
      const h = hookKeys(userId);
      const k = userKeys(userId);
      const [sealed, due, state] = list(await run('outboxSeal', [h.outbox, h.state, k.meta, k.cart], [options.debounceMs, options.graceMs, options.limit]));
      const events = strings(sealed).flatMap((raw) => parseEntry(raw) ?? []);
      // HVALS has no order; the memory engine and every reader of a cart sort its lines.
      for (const e of events) if (e.type === 'cart.updated' && Array.isArray(e.data.cart)) e.data.cart = sortCartLines(e.data.cart as CartLine[]);
      return { events, states: parseStates(strings(state)), openDueAt: Number(due) < 0 ? null : Number(due) };
    },
    async saveState(userId, targetId, state: DeliveryState) {
      await call(() => redis.hset(hookKeys(userId).state, `e:${targetId}`, JSON.stringify(state)));
    },
    async trim(userId, upTo) {
      const h = hookKeys(userId);
      return Number(await run('outboxTrim', [h.outbox, h.state, userKeys(userId).meta], [upTo]));
    },
    async requeue(userId, events: readonly SealedEvent[], only) {
      if (events.length === 0) return;
      const h = hookKeys(userId);
      const args = events.map((e) => JSON.stringify({ id: e.id, t: e.type, at: e.at, ...(e.version !== undefined ? { v: e.version } : {}), d: e.data }));
      await run('outboxRequeue', [h.outbox, h.state], [only, ...args]);
    },
    async depth(userId) {
      return call(() => redis.llen(hookKeys(userId).outbox));
    },
    async deadLetter(endpointId, letter: DeadLetter) {
      const key = WEBHOOK_KEYS.dead(endpointId);
      await call(() => redis.multi().rpush(key, JSON.stringify(letter)).ltrim(key, -DEAD_MAX, -1).exec());
    },
    async deadLetters(endpointId, since, limit, take) {
      const key = WEBHOOK_KEYS.dead(endpointId);
      const all = (await call(() => redis.lrange(key, 0, -1))).map((raw) => ({ raw, letter: JSON.parse(raw) as DeadLetter }));
      const picked = all.filter((x) => x.letter.failedAt >= since).slice(0, limit);
      if (take) for (const { raw } of picked) await call(() => redis.lrem(key, 1, raw));
      return picked.map((x) => x.letter);
    },
    async appendFeed(events: readonly PublicEvent[]) {
      if (events.length === 0) return;
      const pipeline = redis.pipeline();
      for (const event of events) pipeline.xadd(WEBHOOK_KEYS.feed, 'MAXLEN', '~', FEED_MAX, '*', 'e', JSON.stringify(event));
      await call(() => pipeline.exec());
    },
    async readFeed(after, limit): Promise<FeedPage> {
      const start = after === null ? '-' : `(${after}`;
      const rows = await call(() => redis.xrange(WEBHOOK_KEYS.feed, start, '+', 'COUNT', limit));
      const events = rows.map(([cursor, fields]) => ({ cursor, event: JSON.parse(fields[1] ?? '{}') as PublicEvent }));
      return { events, next: events.at(-1)?.cursor ?? after ?? '0-0' };
    },
    async endpointsVersion() {
      return (await call(() => redis.get(WEBHOOK_KEYS.endpointsVersion))) ?? '0';
    },
    async listEndpoints() {
      const all = await call(() => redis.hvals(WEBHOOK_KEYS.endpoints));
      return all.flatMap((raw) => parseEndpoint(raw) ?? []).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    },
    async saveEndpoint(endpoint: EndpointRecord) {
      await call(() => redis.multi().hset(WEBHOOK_KEYS.endpoints, endpoint.id, JSON.stringify(endpoint)).incr(WEBHOOK_KEYS.endpointsVersion).exec());
    },
    async deleteEndpoint(id) {
      const removed = await call(() => redis.hdel(WEBHOOK_KEYS.endpoints, id));
      await call(() => redis.incr(WEBHOOK_KEYS.endpointsVersion));
      await call(() => redis.del(WEBHOOK_KEYS.dead(id)));
      return removed > 0;
    },
  };
}

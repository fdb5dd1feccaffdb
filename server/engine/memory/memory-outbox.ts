import type { Change } from '../../../client-sdk/src/protocol/index.ts';
import { sortCartLines } from '../../../client-sdk/src/rules/index.ts';
import type { EndpointRecord } from '../../webhooks/endpoints.ts';
import type { EventType } from '../../webhooks/events.ts';
import { eventsOfChange } from '../../webhooks/change-events.ts';
import { parseEntry, type OutboxEntry } from '../../webhooks/outbox-entry.ts';
import { FRESH_STATE, NO_DEMAND, OUTBOX_LIMITS, type DeadLetter, type DeliveryState, type EventDemand, type OutboxStore, type PublicEvent } from '../../webhooks/outbox.ts';
import type { UserState } from './user-state.ts';

interface UserOutbox {
  entries: OutboxEntry[];
  seq: number;
  bytes: number;
  drop: number;
  states: Map<string, DeliveryState>;
  lease: { owner: string; until: number } | null;
}

export interface MemoryOutbox extends OutboxStore {
  /** Records the events of a change committed just now (same mapping as scripts/outbox.lua). */
  change(userId: string, change: Change, crossedCompleted: boolean): void;
  /** Records one event (device and user events). */
  record(userId: string, type: EventType, at: number, version: number | undefined, data: Record<string, unknown>, key?: string): void;
}

/** Same bounds and cost accounting as outbox.lua: the entry's JSON length. */
const sizeOf = (entry: OutboxEntry) => JSON.stringify(entry).length;

/**
 * The memory engine's outboxes: the same entries, sealing and bounds as the Redis scripts (outbox.lua,
 * outbox-seal.lua), kept apart from the users' state so an erase keeps them.
 */
export function createMemoryOutbox(deps: { now: () => number; peek: (userId: string) => UserState | undefined; demand?: EventDemand }): MemoryOutbox {
  const { now } = deps;
  const demand = deps.demand ?? NO_DEMAND;
  const boxes = new Map<string, UserOutbox>();
  const pending = new Map<string, number>();
  const endpoints = new Map<string, EndpointRecord>();
  const dead = new Map<string, DeadLetter[]>();
  const feed: Array<{ cursor: string; event: PublicEvent }> = [];
  let feedSeq = 0;
  let endpointsVersion = 0;

  const box = (userId: string): UserOutbox => {
    let b = boxes.get(userId);
    if (!b) {
      b = { entries: [], seq: 0, bytes: 0, drop: 0, states: new Map(), lease: null };
      boxes.set(userId, b);
    }
    return b;
  };
  const idOf = (userId: string, at: number, seq: number) => `evt_${Buffer.from(userId).toString('hex').slice(0, 10)}${at.toString(16)}_${seq}`;

  const record: MemoryOutbox['record'] = (userId, type, at, version, data, key) => {
    const wanted = demand.current();
    if (wanted === '' || !wanted.includes(`,${type},`)) return;
    const b = box(userId);
    const tail = b.entries.at(-1);
    if (key !== undefined && tail && tail.o === 1 && tail.t === type && tail.k === key) {
      const before = sizeOf(tail);
      tail.last = at;
      tail.d = data;
      if (version !== undefined) tail.v = version;
      b.bytes += sizeOf(tail) - before;
      demand.recorded(userId);
      return;
    }
    const entry: OutboxEntry = { s: b.seq + 1, id: '', t: type, at, last: at, d: data, ...(version !== undefined ? { v: version } : {}), ...(key !== undefined ? { k: key, o: 1 as const } : {}) };
    entry.id = idOf(userId, at, entry.s);
    if (b.entries.length >= OUTBOX_LIMITS.entries || b.bytes + sizeOf(entry) > OUTBOX_LIMITS.bytes) {
      b.drop += 1;
    } else {
      b.seq = entry.s;
      b.entries.push(entry);
      b.bytes += sizeOf(entry);
    }
    demand.recorded(userId);
  };

  return {
    record,
    change(userId, change, crossedCompleted) {
      for (const e of eventsOfChange(change, crossedCompleted)) record(userId, e.type, change.at, change.version, e.data, e.key);
    },
    async dueUsers(limit) {
      const at = now();
      return [...pending].filter(([, due]) => due <= at).slice(0, limit).map(([u]) => u);
    },
    async markPending(userIds, at) {
      for (const u of userIds) pending.set(u, Math.min(pending.get(u) ?? Infinity, at ?? now()));
    },
    async settle(userId, at) {
      if (at !== null) pending.set(userId, at);
      else if ((boxes.get(userId)?.entries.length ?? 0) > 0) pending.set(userId, now());
      else pending.delete(userId);
    },
    async sweep() {
      const users = [...boxes].filter(([, b]) => b.entries.length > 0).map(([u]) => u);
      await this.markPending(users);
      return users.length;
    },
    async claim(userId, owner, leaseMs) {
      const b = box(userId);
      const at = now();
      if (b.lease && b.lease.owner !== owner && b.lease.until > at) return false;
      b.lease = { owner, until: at + leaseMs };
      return true;
    },
    async release(userId, owner) {
      const b = boxes.get(userId);
      if (b?.lease?.owner === owner) b.lease = null;
    },
    async seal(userId, options) {
      const b = box(userId);
      const at = now();
      if (b.drop > 0) {
        b.seq += 1;
        const dropped: OutboxEntry = { s: b.seq, id: idOf(userId, at, b.seq), t: 'events.dropped', at, d: { count: b.drop } };
        b.entries.push(dropped);
        b.bytes += sizeOf(dropped);
        b.drop = 0;
      }
      const window = b.entries.slice(0, options.limit);
      let openDueAt: number | null = null;
      const sealed: OutboxEntry[] = [];
      for (let i = 0; i < window.length; i += 1) {
        const e = window[i];
        if (!e) break;
        if (e.o === 1) {
          const last = e.last ?? e.at;
          if (e.t === 'device.disconnected') {
            const back = window.slice(i + 1).find((g) => g.t === 'device.connected' && g.d.deviceId === e.d.deviceId);
            if (back && back.at - last <= options.graceMs) {
              for (const x of [e, back]) Object.assign(x, { t: 'skip', d: {} });
            } else if (at < last + options.graceMs) {
              openDueAt = last + options.graceMs;
              break;
            }
          } else if (at < last + options.debounceMs) {
            openDueAt = last + options.debounceMs;
            break;
          } else if (e.t === 'cart.updated') {
            const state = deps.peek(userId);
            e.v = state?.version ?? 0;
            e.d = { epoch: state?.epoch ?? '', cart: state ? sortCartLines(state.cart.values()).map((l) => ({ ...l })) : [] };
          }
          delete e.o;
          delete e.k;
          delete e.last;
        }
        sealed.push(e);
      }
      const events = sealed.flatMap((e) => parseEntry(JSON.stringify(e)) ?? []);
      return { events, states: new Map([...b.states].map(([k, v]) => [k, { ...v }])), openDueAt };
    },
    async saveState(userId, targetId, state) {
      box(userId).states.set(targetId, { ...FRESH_STATE, ...state });
    },
    async trim(userId, upTo) {
      const b = box(userId);
      while (b.entries[0] && b.entries[0].s <= upTo) b.bytes -= sizeOf(b.entries.shift() as OutboxEntry);
      if (b.entries.length === 0) {
        b.bytes = 0;
        // Nothing is left of a user that no longer exists (erased, expired), as in outbox-trim.lua.
        if (!deps.peek(userId)) boxes.delete(userId);
      }
      return b.entries.length;
    },
    async requeue(userId, events, only) {
      const b = box(userId);
      for (const e of events) {
        b.seq += 1;
        const entry: OutboxEntry = { s: b.seq, id: e.id, t: e.type, at: e.at, only, d: e.data, ...(e.version !== undefined ? { v: e.version } : {}) };
        b.entries.push(entry);
        b.bytes += sizeOf(entry);
      }
    },
    async depth(userId) {
      return boxes.get(userId)?.entries.length ?? 0;
    },
    async deadLetter(endpointId, letter) {
      const letters = dead.get(endpointId) ?? [];
      letters.push(structuredClone(letter));
      if (letters.length > 10_000) letters.shift();
      dead.set(endpointId, letters);
    },
    async deadLetters(endpointId, since, limit, take) {
      const letters = dead.get(endpointId) ?? [];
      const picked = letters.filter((l) => l.failedAt >= since).slice(0, limit);
      if (take) dead.set(endpointId, letters.filter((l) => !picked.includes(l)));
      return structuredClone(picked);
    },
    async appendFeed(events) {
      for (const event of events) {
        feedSeq += 1;
        feed.push({ cursor: `${feedSeq}-0`, event: structuredClone(event) });
      }
      if (feed.length > 100_000) feed.splice(0, feed.length - 100_000);
    },
    async readFeed(after, limit) {
      const from = after === null ? 0 : Number(after.split('-')[0]);
      const events = feed.filter((x) => Number(x.cursor.split('-')[0]) > from).slice(0, limit);
      return { events, next: events.at(-1)?.cursor ?? after ?? '0-0' };
    },
    async endpointsVersion() {
      return String(endpointsVersion);
    },
    async listEndpoints() {
      return [...endpoints.values()].map((e) => structuredClone(e)).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    },
    async saveEndpoint(endpoint) {
      endpoints.set(endpoint.id, structuredClone(endpoint));
      endpointsVersion += 1;
    },
    async deleteEndpoint(id) {
      dead.delete(id);
      endpointsVersion += 1;
      return endpoints.delete(id);
    },
  };
}

import { DEFAULT_WATCH_RULES, LIMITS, type CartLine, type Change, type Device, type Op, type WatchEntry, type WatchRules } from '../../../client-sdk/src/protocol/index.ts';
import {
  applyCartOp,
  applyWatchOp,
  decideCart,
  decideWatch,
  decideWatchRemove,
  sortCartLines,
  sortDevices,
  sortWatchEntries,
  type CartMutation,
} from '../../../client-sdk/src/rules/index.ts';
import { takeToken } from '../../domain/rate-limit.ts';
import { SyncError } from '../../errors.ts';
import { BACKEND_DEFAULTS, StateRefusal, type BackendEngine, type BackendOp, type BackendWriteResult, type StoredAnswer, type UserRecord } from '../backend.ts';
import type { EngineOptions } from '../engine.ts';
import type { MemoryOutbox } from './memory-outbox.ts';
import { markRemoved, type UserState } from './user-state.ts';

export interface MemoryBackendDeps {
  options: EngineOptions;
  now: () => number;
  /** The user's state, created when missing. */
  user(userId: string): UserState;
  /** The user's state, or undefined (reads never create one). */
  peek(userId: string): UserState | undefined;
  /** Forgets the user; the next state made for it gets a new epoch. */
  forget(userId: string): void;
  ensureOpen(): void;
  retain(state: UserState, retentionMs: number | undefined, now: number): void;
  /** Where the webhook events of a write are recorded, in the same synchronous step. */
  outbox: MemoryOutbox;
}

/** What a remembered Idempotency-Key answers: a write's result, or a claimed call's answer once settled. */
interface Remembered {
  requestHash: string;
  at: number;
  result?: Omit<BackendWriteResult, 'changes' | 'replayed' | 'published' | 'devices'>;
  answer?: StoredAnswer;
}

const records = new WeakMap<UserState, Map<string, Remembered>>();
const buckets = new WeakMap<UserState, Parameters<typeof takeToken>[0]>();

const exists = (state: UserState | undefined): state is UserState => state !== undefined && (state.version > 0 || state.devices.size > 0);
const devicesOf = (state: UserState): Device[] => sortDevices(state.devices.values()).map((d) => ({ ...d }));

function recordOf(state: UserState): UserRecord {
  return {
    epoch: state.epoch,
    version: state.version,
    cart: sortCartLines(state.cart.values()).map((l) => ({ ...l })),
    watch: sortWatchEntries(state.watch.values()).map((e) => ({ ...e })),
    devices: devicesOf(state),
  };
}

function cartDecision(cart: ReadonlyMap<string, CartLine>, mutation: CartMutation): Op {
  const decision = decideCart(cart, mutation);
  if (!decision.ok) throw new SyncError(decision.error.code, decision.error.message);
  return decision.op;
}

/**
 * Decides one cart or watch op on the working copies (same rules as a device's mutation, in
 * client-sdk/src/rules); the Lua script backend-write.lua implements the same, and the contract suite holds them equal.
 */
function decide(op: BackendOp, cart: Map<string, CartLine>, watch: Map<string, WatchEntry>, writer: string, now: number, rules: WatchRules): Op {
  switch (op.type) {
    case 'cart:add': {
      const { type: _type, ...request } = op;
      return cartDecision(cart, { event: 'cart:add', request });
    }
    case 'cart:set':
      return cartDecision(cart, { event: 'cart:set', request: { sku: op.sku, qty: op.qty } });
    case 'cart:remove':
      return cartDecision(cart, { event: 'cart:remove', request: { sku: op.sku } });
    case 'cart:clear':
      return { type: 'cart:clear' };
    case 'watch:set':
    case 'watch:complete': {
      const existing = watch.get(op.videoId);
      const durationSec = op.durationSec ?? existing?.durationSec;
      if (durationSec === undefined) throw new SyncError('bad_request', `no progress for ${op.videoId} yet: give durationSec`);
      const positionSec = op.type === 'watch:complete' ? durationSec : Math.min(op.positionSec, durationSec);
      // The backend's word wins over every earlier report, also one made in this same millisecond.
      const at = Math.max(now, (existing?.updatedAt ?? 0) + 1);
      return decideWatch(watch, { videoId: op.videoId, positionSec, durationSec, at, kind: 'seek' }, writer, at, rules);
    }
    case 'watch:remove':
      return decideWatchRemove(watch, op.videoId);
    case 'device:remove':
    case 'sign-out':
      throw new Error('device ops are not state ops');
  }
}

export function createMemoryBackend(deps: MemoryBackendDeps): BackendEngine {
  const settings = deps.options.backend ?? BACKEND_DEFAULTS;
  const watchRules = deps.options.watchRules ?? DEFAULT_WATCH_RULES;

  const remembered = (state: UserState, now: number): Map<string, Remembered> => {
    let map = records.get(state);
    if (!map) {
      map = new Map();
      records.set(state, map);
    }
    // Insertion order is time order: the expired ones are at the front.
    for (const [key, record] of map) {
      if (record.at > now - settings.idempotencyTtlMs) break;
      map.delete(key);
    }
    return map;
  };

  return {
    async readUser(userId) {
      deps.ensureOpen();
      const state = deps.peek(userId);
      return exists(state) ? recordOf(state) : null;
    },

    async readChanges(userId, since, limit) {
      deps.ensureOpen();
      const state = deps.peek(userId);
      if (!exists(state)) return null;
      const current = { epoch: state.epoch, version: state.version };
      const missing = state.version - since.version;
      const sameEpoch = since.epoch === null || since.epoch === state.epoch;
      if (!sameEpoch || missing < 0 || missing > state.log.length) return { kind: 'gone', ...current };
      const from = state.log.length - missing;
      return { kind: 'changes', ...current, changes: structuredClone(state.log.slice(from, from + limit)) };
    },

    async write(request) {
      deps.ensureOpen();
      const state = deps.user(request.userId);
      const now = deps.now();
      const memory = remembered(state, now);
      const seen = memory.get(request.idempotency.key);
      if (seen) {
        if (seen.requestHash !== request.idempotency.requestHash || !seen.result) {
          throw new SyncError('idempotency_key_reused', 'this Idempotency-Key was used for a different request');
        }
        return { ...seen.result, changes: [], replayed: true, published: false, devices: null };
      }
      if (request.ifMatch && (request.ifMatch.epoch !== state.epoch || request.ifMatch.version !== state.version)) {
        throw new StateRefusal('precondition_failed', 'the user moved on from the version in If-Match', { epoch: state.epoch, version: state.version });
      }
      if (memory.size >= settings.idempotencyMax) throw new SyncError('rate_limited', 'too many Idempotency-Keys held for this user; retry later');
      const { bucket, allowed } = takeToken(buckets.get(state), now, settings.rateLimit);
      buckets.set(state, bucket);
      if (!allowed) throw new SyncError('rate_limited', 'too many backend requests for this user');

      // All or nothing: decide every op on copies; state changes only once all of them passed.
      const cart = new Map(state.cart);
      const watch = new Map(state.watch);
      const decided: Op[] = [];
      let revoke: string | null = null;
      for (const op of request.ops) {
        if (op.type === 'device:remove') {
          if (!state.devices.has(op.deviceId)) throw new SyncError('not_found', `no device ${op.deviceId}`);
          revoke = op.deviceId;
          decided.push({ type: 'noop' });
        } else if (op.type === 'sign-out') {
          revoke = '*';
          decided.push({ type: 'noop' });
        } else {
          const decision = decide(op, cart, watch, request.writer, now, watchRules);
          applyCartOp(cart, decision);
          applyWatchOp(watch, decision);
          decided.push(decision);
        }
      }
      deps.retain(state, request.retentionMs, now);
      const fromVersion = state.version;
      const changes: Change[] = [];
      let seq = state.seqs.get(request.writer)?.seq ?? 0;
      for (const op of decided) {
        state.version += 1;
        seq += 1;
        const change: Change = { epoch: state.epoch, version: state.version, deviceId: request.writer, seq, at: now, op };
        state.log.push(change);
        changes.push(structuredClone(change));
      }
      if (state.log.length > LIMITS.changeLog) state.log.splice(0, state.log.length - LIMITS.changeLog);
      if (changes.length > 0) state.seqs.set(request.writer, { seq, version: state.version });
      recordEvents(deps.outbox, request.userId, request.ops, changes, state.watch, now);
      state.cart = cart;
      state.watch = watch;
      for (const op of request.ops) {
        if (op.type === 'watch:remove') markRemoved(state, op.videoId, now, request.writer);
        if (op.type === 'watch:set' || op.type === 'watch:complete') state.watchGone.delete(op.videoId);
      }
      let revokedAt: number | null = null;
      if (revoke !== null) {
        revokedAt = now;
        state.revoked.set(revoke, Math.max(now, state.revoked.get(revoke) ?? 0));
        if (revoke !== '*') {
          state.devices.delete(revoke);
          state.conns.delete(revoke);
        }
      }
      const result = { epoch: state.epoch, version: state.version, fromVersion, revokedAt };
      memory.set(request.idempotency.key, { requestHash: request.idempotency.requestHash, at: now, result });
      return { ...result, changes, replayed: false, published: false, devices: revoke === null ? null : devicesOf(state) };
    },

    async claimKey(userId, idempotency) {
      deps.ensureOpen();
      // Like Redis, a claim alone makes no user: an unknown one keeps nothing (its call answers not_found).
      const state = deps.peek(userId);
      if (!state) return { kind: 'new' };
      const now = deps.now();
      const memory = remembered(state, now);
      const seen = memory.get(idempotency.key);
      if (seen) {
        if (seen.requestHash !== idempotency.requestHash) {
          throw new SyncError('idempotency_key_reused', 'this Idempotency-Key was used for a different request');
        }
        return seen.answer ? { kind: 'done', answer: structuredClone(seen.answer) } : { kind: 'new' };
      }
      if (memory.size >= settings.idempotencyMax) throw new SyncError('rate_limited', 'too many Idempotency-Keys held for this user; retry later');
      memory.set(idempotency.key, { requestHash: idempotency.requestHash, at: now });
      return { kind: 'new' };
    },

    async settleKey(userId, idempotency, answer) {
      deps.ensureOpen();
      const state = deps.peek(userId);
      if (!state) return;
      const memory = remembered(state, deps.now());
      memory.delete(idempotency.key);
      memory.set(idempotency.key, { requestHash: idempotency.requestHash, at: deps.now(), answer: structuredClone(answer) });
    },

    async exportUser(userId) {
      deps.ensureOpen();
      const state = deps.peek(userId);
      return exists(state) ? { ...recordOf(state), log: structuredClone(state.log) } : null;
    },

    async erase(userId) {
      deps.ensureOpen();
      const state = deps.peek(userId);
      if (!state) return { erased: false, deviceIds: [] };
      const deviceIds = [...state.devices.keys()];
      deps.forget(userId);
      deps.outbox.record(userId, 'user.erased', deps.now(), undefined, {});
      return { erased: true, deviceIds };
    },
  };
}

/** The write's webhook events in op order, as backend-write.lua records them. */
function recordEvents(outbox: MemoryOutbox, userId: string, ops: readonly BackendOp[], changes: readonly Change[], before: ReadonlyMap<string, WatchEntry>, at: number): void {
  const watch = new Map(before);
  let next = 0;
  for (const op of ops) {
    if (op.type === 'device:remove' || op.type === 'sign-out') {
      outbox.record(userId, 'device.signed_out', at, undefined, { deviceId: op.type === 'sign-out' ? null : op.deviceId });
      continue;
    }
    const change = changes[next];
    next += 1;
    if (!change) continue;
    let crossed = false;
    if (change.op.type === 'watch') {
      crossed = change.op.entry.completed && !(watch.get(change.op.entry.videoId)?.completed ?? false);
      watch.set(change.op.entry.videoId, change.op.entry);
    }
    outbox.change(userId, change, crossed);
  }
}

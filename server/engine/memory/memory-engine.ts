import { randomBytes } from 'node:crypto';
import { DEFAULT_WATCH_RULES, type Device, type Mutation, type MutationResult, type Op, type SyncPayload } from '../../../client-sdk/src/protocol/index.ts';
import { isStale, pickEviction, sortDevices } from '../../../client-sdk/src/rules/index.ts';
import { parseMutation } from '../../domain/mutation.ts';
import { chargeTokens, extraTokens, takeToken } from '../../domain/rate-limit.ts';
import { jsonBytes } from '../../domain/sync.ts';
import { isRevokedBy, tokenMark } from '../../domain/revocation.ts';
import { SyncError } from '../../errors.ts';
import type { Actor, DeviceHello, DevicesChanged, Engine, EngineOptions, Reader } from '../engine.ts';
import { createMemoryBackend } from './memory-backend.ts';
import { createMemoryDomainOps } from './memory-domain-ops.ts';
import { syncOf } from './memory-sync.ts';
import { decideMutation } from './memory-decide.ts';
import { createMemoryOutbox } from './memory-outbox.ts';
import { commitChange, createUserState, retain, type UserState } from './user-state.ts';

export interface MemoryEngineOptions extends EngineOptions {
  /** Clock in ms. @default Date.now */
  now?: () => number;
  /** The epoch of every user's log in this process (a restart loses the data, so it makes a new one). @default random */
  nodeEpoch?: string;
}

/**
 * The in-process engine of a single embedded node. Each method runs synchronously inside one call,
 * so it is atomic per user just like the Redis scripts; the rules come from client-sdk/src/rules (the
 * SDK predicts with the same) and server/domain.
 */
export function createMemoryEngine(options: MemoryEngineOptions): Engine {
  const now = options.now ?? Date.now;
  const watchRules = options.watchRules ?? DEFAULT_WATCH_RULES;
  const epoch = options.nodeEpoch ?? `m${randomBytes(8).toString('hex')}`;
  const users = new Map<string, UserState>();
  // An erased user starts a new log: its devices must not take the new version 1 for the old one.
  const erased = new Set<string>();
  let closed = false;
  const outbox = createMemoryOutbox({ now, peek: (userId) => live(userId), ...(options.events ? { demand: options.events } : {}) });

  /** The user's state unless its retention ran out (then it is gone, as Redis would have expired its keys). */
  const live = (userId: string): UserState | undefined => {
    const state = users.get(userId);
    if (state && state.expiresAt !== null && now() >= state.expiresAt) {
      users.delete(userId);
      return undefined;
    }
    return state;
  };
  const user = (userId: string): UserState => {
    let state = live(userId);
    if (!state) {
      state = createUserState(erased.has(userId) ? `m${randomBytes(8).toString('hex')}` : epoch);
      users.set(userId, state);
    }
    return state;
  };
  const ensureOpen = () => {
    if (closed) throw new SyncError('unavailable', 'engine closed');
  };
  const copyDevices = (state: UserState): Device[] => sortDevices(state.devices.values()).map((d) => ({ ...d }));
  const takeRate = (state: UserState, at: number) => {
    const { bucket, allowed } = takeToken(state.bucket, at, options.rateLimit);
    state.bucket = bucket;
    if (!allowed) throw new SyncError('rate_limited', 'too many requests');
  };
  /** A read's answer costs by its size (see extraTokens), once it is known. */
  const chargeAnswer = (state: UserState, bytes: number) => {
    if (state.bucket) state.bucket = chargeTokens(state.bucket, extraTokens(bytes), options.rateLimit);
  };
  /** A reading session is checked in the same synchronous step as its read (see Reader). */
  const refuseRevoked = (state: UserState, reader: Reader | undefined) => {
    if (reader && isRevokedBy(state.revoked, reader.deviceId, reader.issuedAt, reader.tokenId)) throw new SyncError('unauthorized', 'session revoked');
  };
  /** A clean disconnect was seen now (`lastSeen`); a swept device keeps the lastSeen it had. */
  const markOffline = (state: UserState, deviceId: string, lastSeen?: number): boolean => {
    const device = state.devices.get(deviceId);
    state.conns.delete(deviceId);
    if (!device?.online) return false;
    state.devices.set(deviceId, { ...device, online: false, nodeId: '', lastSeen: lastSeen ?? device.lastSeen });
    return true;
  };

  const decide = (state: UserState, actor: Actor, mutation: Mutation, at: number): Op => decideMutation(state, actor.deviceId, mutation, at, watchRules);

  /** One mutation, synchronously: nothing else runs for the user between its checks and its commit. */
  const applyOne = (actor: Actor, raw: Mutation): MutationResult => {
    const mutation = parseMutation(raw);
    const state = user(actor.userId);
    const at = now();
    retain(state, actor.retentionMs, at);
    if (isRevokedBy(state.revoked, actor.deviceId, actor.issuedAt)) throw new SyncError('unauthorized', 'session revoked');
    if (state.conns.get(actor.deviceId) !== actor.connId) {
      throw new SyncError('conflict', 'this connection was superseded by a newer one of the same device');
    }
    takeRate(state, at);
    const seq = mutation.request.seq;
    const applied = state.seqs.get(actor.deviceId);
    if (applied && seq <= applied.seq) return { epoch: state.epoch, version: applied.version, duplicate: true };

    const op = decide(state, actor, mutation, at);
    const crossed = op.type === 'watch' && op.entry.completed && !(state.watch.get(op.entry.videoId)?.completed ?? false);
    const change = commitChange(state, actor.deviceId, seq, at, op);
    outbox.change(actor.userId, change, crossed);
    state.seqs.set(actor.deviceId, { seq, version: state.version });
    return { epoch: state.epoch, version: state.version, duplicate: false, change: structuredClone(change) };
  };

  return {
    kind: 'memory',
    ...createMemoryDomainOps({ now, user: (userId) => (ensureOpen(), user(userId)), peek: (userId) => (ensureOpen(), live(userId)), retain, outbox }),
    outbox,
    backend: createMemoryBackend({
      options,
      now,
      user,
      peek: (userId) => live(userId),
      forget: (userId) => {
        users.delete(userId);
        erased.add(userId);
      },
      ensureOpen,
      retain,
      outbox,
    }),

    async mutate(actor, raw): Promise<MutationResult> {
      ensureOpen();
      return applyOne(actor, raw);
    },

    async mutateBatch(actor, mutations) {
      // One synchronous loop, like the Redis engine's single script: nothing interleaves.
      ensureOpen();
      const results: MutationResult[] = [];
      for (const mutation of mutations) {
        try {
          results.push(applyOne(actor, mutation));
        } catch (err) {
          if (err instanceof SyncError) return { results, error: err };
          throw err;
        }
      }
      return { results };
    },

    async sync(userId, since): Promise<SyncPayload> {
      ensureOpen();
      return syncOf(user(userId), since).sync;
    },

    async resume(userId, since, resumeOptions) {
      // One synchronous run, like the Redis engine's single script: nothing interleaves.
      ensureOpen();
      const state = user(userId);
      refuseRevoked(state, resumeOptions?.reader);
      takeRate(state, now());
      const { bytes, ...answer } = syncOf(state, since, resumeOptions?.paged === true);
      const devices = copyDevices(state);
      chargeAnswer(state, bytes + devices.reduce((n, d) => n + jsonBytes(d), 0));
      return { ...answer, devices };
    },

    async connectDevice(userId, hello: DeviceHello) {
      ensureOpen();
      const state = user(userId);
      if (isRevokedBy(state.revoked, hello.deviceId, hello.issuedAt, hello.tokenId)) throw new SyncError('unauthorized', 'session revoked');
      const at = now();
      takeRate(state, at);
      if (!state.devices.has(hello.deviceId) && state.devices.size >= options.maxDevices) {
        const evict = pickEviction(state.devices.values());
        if (!evict) throw new SyncError('forbidden', `at most ${options.maxDevices} devices may be online at once`);
        state.devices.delete(evict.deviceId);
        state.conns.delete(evict.deviceId);
        state.seqs.delete(evict.deviceId);
      }
      state.devices.set(hello.deviceId, {
        deviceId: hello.deviceId,
        name: hello.name,
        kind: hello.kind,
        connectedAt: at,
        lastSeen: at,
        online: true,
        nodeId: hello.nodeId,
      });
      state.conns.set(hello.deviceId, hello.connId);
      outbox.record(userId, 'device.connected', at, undefined, { deviceId: hello.deviceId, name: hello.name, kind: hello.kind });
      retain(state, hello.retentionMs, at);
      return copyDevices(state);
    },

    async disconnectDevice(userId, deviceId, connId) {
      ensureOpen();
      const state = live(userId);
      if (!state || state.conns.get(deviceId) !== connId) return null;
      const at = now();
      if (!markOffline(state, deviceId, at)) return null;
      outbox.record(userId, 'device.disconnected', at, undefined, { deviceId }, `d:${deviceId}`);
      return copyDevices(state);
    },

    async touchDevices(entries) {
      ensureOpen();
      const at = now();
      for (const { userId, deviceId, connId } of entries) {
        const state = live(userId);
        const device = state?.devices.get(deviceId);
        if (state && device && state.conns.get(deviceId) === connId) state.devices.set(deviceId, { ...device, lastSeen: at });
      }
    },

    async sweepStaleDevices(staleMs): Promise<DevicesChanged[]> {
      ensureOpen();
      const at = now();
      const changed: DevicesChanged[] = [];
      for (const [userId, state] of users) {
        // The periodic sweep also forgets users whose retention ran out.
        if (state.expiresAt !== null && at >= state.expiresAt) {
          users.delete(userId);
          continue;
        }
        let any = false;
        for (const device of [...state.devices.values()]) {
          if (device.online && isStale(device.lastSeen, at, staleMs)) any = markOffline(state, device.deviceId) || any;
        }
        if (any) changed.push({ userId, devices: copyDevices(state) });
      }
      return changed;
    },

    async readDevices(userId, reader) {
      ensureOpen();
      const state = user(userId);
      refuseRevoked(state, reader);
      takeRate(state, now());
      return copyDevices(state);
    },

    async listDevices(userId) {
      ensureOpen();
      const state = live(userId);
      return state ? copyDevices(state) : [];
    },

    async revoke(userId, scope) {
      ensureOpen();
      const state = user(userId);
      const at = now();
      if (scope.deviceId !== undefined && !state.devices.has(scope.deviceId)) throw new SyncError('not_found', 'no such device');
      retain(state, scope.retentionMs, at);
      const key = scope.deviceId ?? '*';
      state.revoked.set(key, Math.max(at, state.revoked.get(key) ?? 0));
      // As revoke.lua: what can no longer refuse a live token goes.
      const horizon = options.tokenLifetimeMs ?? 0;
      for (const [mark, value] of state.revoked) {
        if (mark.startsWith('t:') ? value < at : horizon > 0 && value < at - horizon) state.revoked.delete(mark);
      }
      if (scope.token && scope.token.until >= at) state.revoked.set(tokenMark(scope.token.id), scope.token.until);
      return at;
    },

    async isRevoked(userId, deviceId, issuedAt, tokenId) {
      ensureOpen();
      const state = live(userId);
      return state ? isRevokedBy(state.revoked, deviceId, issuedAt, tokenId) : false;
    },

    async revokedSessions(sessions) {
      ensureOpen();
      const revoked: number[] = [];
      sessions.forEach((s, i) => {
        const state = live(s.userId);
        if (state && isRevokedBy(state.revoked, s.deviceId, s.issuedAt, s.tokenId)) revoked.push(i);
      });
      return revoked;
    },

    async takeRateToken(userId) {
      ensureOpen();
      takeRate(user(userId), now());
    },

    async storeId() {
      ensureOpen();
      return 'memory';
    },

    async ping() {
      ensureOpen();
    },

    async close() {
      closed = true;
    },
  };
}

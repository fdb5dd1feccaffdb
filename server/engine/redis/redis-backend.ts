import type { Cluster, Redis } from 'ioredis';
import { DEFAULT_WATCH_RULES, LIMITS, type CartLine, type Change, type Device, type WatchEntry } from '../../../client-sdk/src/protocol/index.ts';
import { sortCartLines, sortDevices, sortWatchEntries } from '../../../client-sdk/src/rules/index.ts';
import { BACKEND_DEFAULTS, StateRefusal, type BackendEngine, type StoredAnswer, type UserRecord } from '../backend.ts';
import type { EngineOptions } from '../engine.ts';
import { PRESENCE_KEY, hookKeys, presenceMember, userKeys, withEveryKey } from './keys.ts';
import type { ScriptName } from './scripts.ts';
import { encodeWatchRules } from './mutation-call.ts';

export interface RedisBackendDeps {
  redis: Redis | Cluster;
  options: EngineOptions;
  /** Runs a script with the engine's deadline and error mapping. */
  run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  /** As `run`, acknowledged like a device's mutation (after REDIS_MIN_REPLICAS_ACK replicas have it). */
  runWrite(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  /** Runs a plain command with the engine's deadline and error mapping. */
  call<T>(fn: () => Promise<T>): Promise<T>;
  random(): string;
  /** Whether a script may publish its changes itself: not when they must reach replicas first (see runWrite). */
  publishInScript: boolean;
  /** The wanted webhook events for a write of the user, and the hint once it committed. */
  hooksFor(userId: string): { hooks: string; done: () => void };
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const strings = (value: unknown): string[] => list(value).map(String);
const parse = <T>(value: unknown): T[] => strings(value).map((raw) => JSON.parse(raw) as T);

function parseRecord(reply: unknown[]): UserRecord & { log: Change[] } {
  const [epoch, version, cart, watch, devices, log] = reply;
  return {
    epoch: String(epoch),
    version: Number(version),
    cart: sortCartLines(parse<CartLine>(cart)),
    watch: sortWatchEntries(parse<WatchEntry>(watch)),
    devices: sortDevices(parse<Device>(devices)),
    log: parse<Change>(log),
  };
}

/** The backend API's operations as Redis scripts, each atomic in the user's slot (see backend-*.lua). */
export function createRedisBackend(deps: RedisBackendDeps): BackendEngine {
  const settings = deps.options.backend ?? BACKEND_DEFAULTS;
  const read = async (userId: string, withLog: boolean) => {
    const k = userKeys(userId);
    const reply = await deps.run('backendRead', [k.meta, k.cart, k.watch, k.devices, k.log], [withLog ? '1' : '0', deps.random()]);
    return reply === null ? null : parseRecord(list(reply));
  };

  return {
    async readUser(userId) {
      const record = await read(userId, false);
      if (!record) return null;
      const { log: _log, ...rest } = record;
      return rest;
    },

    async readChanges(userId, since, limit) {
      const k = userKeys(userId);
      const reply = await deps.run('backendChanges', [k.meta, k.log, k.devices], [since.epoch ?? '', since.version, limit, deps.random()]);
      if (reply === null) return null;
      const [kind, epoch, version, changes] = list(reply);
      const current = { epoch: String(epoch), version: Number(version) };
      if (kind === 'gone') return { kind: 'gone', ...current };
      return { kind: 'changes', ...current, changes: parse<Change>(changes) };
    },

    async write(request) {
      const k = userKeys(request.userId);
      const fanout = deps.publishInScript ? request.fanout : undefined;
      const h = hookKeys(request.userId);
      const hooks = deps.hooksFor(request.userId);
      const keys = [...withEveryKey(k, [k.meta, k.log, k.seq, k.cart, k.watch, k.watchz, k.idem, k.idemz, k.devices, k.conn, k.revoked, k.watchgone]), h.outbox, h.state];
      const args = [
        request.writer,
        request.idempotency.key,
        request.idempotency.requestHash,
        request.ifMatch?.epoch ?? '',
        request.ifMatch?.version ?? 0,
        settings.rateLimit.perSecond,
        settings.rateLimit.burst,
        deps.random(),
        LIMITS.changeLog,
        settings.idempotencyTtlMs,
        settings.idempotencyMax,
        LIMITS.cartLines,
        LIMITS.qtyMax,
        LIMITS.watchEntries,
        encodeWatchRules(deps.options.watchRules ?? DEFAULT_WATCH_RULES),
        JSON.stringify(request.ops),
        fanout?.channel ?? '',
        fanout?.prefix ?? '',
        fanout?.suffix ?? '',
        request.retentionMs ?? 0,
        hooks.hooks,
      ];
      const reply = list(await deps.runWrite('backendWrite', keys, args));
      hooks.done();
      const [status, epoch, version, from, revokedAt, published, changes, devices] = reply;
      if (status === 'moved') {
        throw new StateRefusal('precondition_failed', 'the user moved on from the version in If-Match', { epoch: String(epoch), version: Number(version) });
      }
      const base = {
        epoch: String(epoch),
        version: Number(version),
        fromVersion: Number(from),
        revokedAt: revokedAt === '' || revokedAt === null || revokedAt === undefined ? null : Number(revokedAt),
      };
      if (status === 'replay') return { ...base, changes: [], replayed: true, published: false, devices: null };
      const removed = request.ops.flatMap((op) => (op.type === 'device:remove' ? [op.deviceId] : []));
      if (removed.length > 0) {
        // The sweep index lives outside the user's slot: written after the script (the sweep tolerates a leftover).
        await deps.call(() => deps.redis.zrem(PRESENCE_KEY, ...removed.map((d) => presenceMember(request.userId, d))));
      }
      return {
        ...base,
        changes: parse<Change>(changes),
        replayed: false,
        published: Number(published) === 1,
        devices: devices === null || devices === undefined ? null : sortDevices(parse<Device>(devices)),
      };
    },

    async claimKey(userId, idempotency) {
      const k = userKeys(userId);
      const args = ['claim', idempotency.key, idempotency.requestHash, settings.idempotencyTtlMs, settings.idempotencyMax, ''];
      const [status, answer] = list(await deps.runWrite('backendIdempotency', [k.idem, k.idemz], args));
      return status === 'done' ? { kind: 'done', answer: JSON.parse(String(answer)) as StoredAnswer } : { kind: 'new' };
    },

    async settleKey(userId, idempotency, answer) {
      const k = userKeys(userId);
      const args = ['settle', idempotency.key, idempotency.requestHash, settings.idempotencyTtlMs, settings.idempotencyMax, JSON.stringify(answer)];
      await deps.runWrite('backendIdempotency', [k.idem, k.idemz], args);
    },

    async exportUser(userId) {
      return read(userId, true);
    },

    async erase(userId) {
      const k = userKeys(userId);
      const h = hookKeys(userId);
      const hooks = deps.hooksFor(userId);
      const reply = list(await deps.run('backendErase', [k.devices, ...Object.values(k), h.outbox, h.state], [hooks.hooks]));
      hooks.done();
      const deviceIds = strings(reply[1]);
      if (deviceIds.length > 0) await deps.call(() => deps.redis.zrem(PRESENCE_KEY, ...deviceIds.map((d) => presenceMember(userId, d))));
      return { erased: Number(reply[0]) > 0, deviceIds };
    },
  };
}

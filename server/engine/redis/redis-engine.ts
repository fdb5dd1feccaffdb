import { randomUUID } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';
import { DEFAULT_WATCH_RULES, LIMITS, type Mutation, type SyncPayload } from '../../../client-sdk/src/protocol/index.ts';
import { parseMutation } from '../../domain/mutation.ts';
import { isRevokedBy, tokenMark } from '../../domain/revocation.ts';
import { SyncError } from '../../errors.ts';
import type { Actor, BatchOutcome, DevicesChanged, Engine, EngineOptions, FanoutEnvelope, Reader, StoreMutationResult } from '../engine.ts';
import { encodeBatch, encodeWatchRules, mutationCall, parseBatchReply, parseMutationReply, type MutationCall } from './mutation-call.ts';
import { PRESENCE_KEY, hookKeys, parsePresenceMember, presenceMember, userKeys, withEveryKey } from './keys.ts';
import { createRedisOutbox } from './redis-outbox.ts';
import { NO_DEMAND } from '../../webhooks/outbox.ts';
import { withDeadline } from './deadline.ts';
import { toSyncError } from './redis-errors.ts';
import { createRedisDomainOps } from './redis-domain-ops.ts';
import { createRedisBackend } from './redis-backend.ts';
import { defineScripts, type ScriptName } from './scripts.ts';
import { parseDevices, parseSync, strings } from './replies.ts';

export interface RedisEngineOptions extends EngineOptions {
  /** The commands client (see createRedisClient); the engine owns it and closes it on close(). */
  redis: Redis | Cluster;
  /** Longest a call may take from the moment it is made (see withDeadline). @default 1000 */
  commandTimeoutMs?: number;
  /**
   * Acknowledge a mutation only once `count` replicas have it (WAIT up to `timeoutMs` after the script); a write
   * not replicated in time answers `unavailable` (it may still be applied: the client's retry is a duplicate).
   * @default { count: 0 } (the primary's commit is the acknowledgement)
   */
  replicas?: { count: number; timeoutMs: number };
}

/** Most stale presence entries one sweep handles; the rest wait for the next sweep. */
const SWEEP_BATCH = 5000;

// A candidate epoch, used only by the call that finds the store empty, so it is made on every mutation:
// randomUUID draws from a cached entropy pool, where randomBytes asks the system each time.
const random = () => randomUUID().replaceAll('-', '').slice(0, 16);

/** A reader as the read scripts take it: deviceId ('' for none), issuedAt, token mark ('' when unknown). */
function readerArgs(reader: Reader | undefined): [string, number, string] {
  if (!reader) return ['', 0, ''];
  return [reader.deviceId, reader.issuedAt, reader.tokenId !== undefined ? tokenMark(reader.tokenId) : ''];
}

/**
 * The replication id of each primary (see scripts/history.lua): a promoted replica, a restart or a restored
 * backup changes it. On a Cluster, one per primary.
 */
async function replicationIds(redis: Redis | Cluster): Promise<string> {
  const primaries = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const infos = await Promise.all(primaries.map((node) => node.info('replication')));
  return infos.map((info) => /master_replid:([0-9a-f]+)/.exec(info)?.[1] ?? '?').sort().join(',');
}

/** One key outside every user's slot: its disappearance means Redis lost its data. */
const STORE_ID_KEY = '{store}:id';

/**
 * The engine of a cluster of gateway nodes: a user's state lives in Redis under the `{u:<id>}` hash tag and
 * every mutation is ONE Lua script call (gate + rules + version + log + seq), so nodes never race.
 */
export function createRedisEngine(options: RedisEngineOptions): Engine {
  const { redis, rateLimit } = options;
  const watchRules = encodeWatchRules(options.watchRules ?? DEFAULT_WATCH_RULES);
  const scripts = defineScripts(redis);
  const timeoutMs = options.commandTimeoutMs ?? 1000;
  const run = async (name: ScriptName, keys: readonly string[], args: readonly (string | number)[]) => {
    try {
      return await withDeadline(scripts(name, keys, args), timeoutMs);
    } catch (err) {
      throw toSyncError(err);
    }
  };
  const replicas = options.replicas ?? { count: 0, timeoutMs: 0 };
  const mutateScript = async (name: ScriptName, keys: readonly string[], args: readonly (string | number)[]) => {
    if (replicas.count === 0) return run(name, keys, args);
    let outcome: { reply: unknown; replicas: number };
    try {
      outcome = await withDeadline(scripts.replicated(name, keys, args, { replicas: replicas.count, timeoutMs: replicas.timeoutMs }), timeoutMs);
    } catch (err) {
      throw toSyncError(err);
    }
    if (outcome.replicas < replicas.count) {
      throw new SyncError('unavailable', `committed but not yet on ${replicas.count} replica(s) (${outcome.replicas} within ${replicas.timeoutMs} ms): retry`);
    }
    return outcome.reply;
  };
  // Waiting for replicas, a change is pushed only once they have it: by the node after the WAIT, never by the
  // script (a push before the WAIT showed devices changes the store could still lose, and then had to take back).
  const durable = replicas.count > 0;
  const scriptFanout = (fanout: FanoutEnvelope | undefined) => (durable ? undefined : fanout);
  const pushable = (result: StoreMutationResult): StoreMutationResult => {
    if (durable || result.unpushed === undefined) return result;
    const { unpushed: _unpushed, ...rest } = result;
    return rest;
  };
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await withDeadline(fn(), timeoutMs);
    } catch (err) {
      throw toSyncError(err);
    }
  };
  const demand = options.events ?? NO_DEMAND;
  /** The wanted events for a write of `userId`, and the hint to give once it committed. */
  const hooksFor = (userId: string): { hooks: string; done: () => void } => {
    const hooks = demand.current();
    return { hooks, done: hooks === '' ? () => {} : () => demand.recorded(userId) };
  };

  return {
    kind: 'redis',
    ...createRedisDomainOps({ run, random, hooksFor }),
    backend: createRedisBackend({ redis, options, run, runWrite: mutateScript, call, random, publishInScript: !durable, hooksFor }),
    outbox: createRedisOutbox({ redis, run, call }),

    async mutate(actor: Actor, raw: Mutation, fanout?: FanoutEnvelope): Promise<StoreMutationResult> {
      const h = hooksFor(actor.userId);
      const { script, keys, args } = mutationCall(actor, parseMutation(raw), { rateLimit, fanout: scriptFanout(fanout), epochCandidate: random(), watchRules, hooks: h.hooks });
      const result = pushable(parseMutationReply(await mutateScript(script, keys, args)));
      h.done();
      return result;
    },

    async mutateBatch(actor, raws, fanout): Promise<BatchOutcome> {
      // Validated up front: the batch sent to the store stops before the first invalid mutation.
      const calls: MutationCall[] = [];
      let invalid: SyncError | undefined;
      const h = hooksFor(actor.userId);
      const context = { rateLimit, fanout: scriptFanout(fanout), epochCandidate: random(), watchRules, hooks: h.hooks };
      for (const raw of raws) {
        try {
          calls.push(mutationCall(actor, parseMutation(raw), context));
        } catch (err) {
          if (!(err instanceof SyncError)) throw err;
          invalid = err;
          break;
        }
      }
      if (calls.length === 0) return invalid ? { results: [], error: invalid } : { results: [] };
      const { keys, args } = encodeBatch(calls);
      const { results, refusal } = parseBatchReply(await mutateScript('mutateBatch', keys, args));
      if (results.length > 0) h.done();
      const error = refusal === null ? invalid : toSyncError(refusal);
      if (error && !(error instanceof SyncError)) throw error;
      return error ? { results: results.map(pushable), error } : { results: results.map(pushable) };
    },

    async sync(userId, since): Promise<SyncPayload> {
      const k = userKeys(userId);
      const args = [since?.epoch ?? '', since?.version ?? 0, random(), LIMITS.syncBatch, LIMITS.syncBytes];
      return parseSync(await run('sync', [k.meta, k.log, k.cart, k.watch], args)).sync;
    },

    async resume(userId, since, resumeOptions) {
      const k = userKeys(userId);
      const args = [
        ...[since?.epoch ?? '', since?.version ?? 0, random(), LIMITS.syncBatch, rateLimit.perSecond, rateLimit.burst],
        ...readerArgs(resumeOptions?.reader),
        ...[LIMITS.syncBytes, resumeOptions?.paged === true ? '1' : '0', LIMITS.rateBytesPerToken],
      ];
      const reply = await run('resume', [k.meta, k.log, k.cart, k.watch, k.devices, k.revoked], args);
      const [devices, sync] = Array.isArray(reply) ? (reply as unknown[]) : [];
      return { ...parseSync(sync), devices: parseDevices(devices) };
    },

    async connectDevice(userId, hello) {
      const k = userKeys(userId);
      const h = hooksFor(userId);
      const hk = hookKeys(userId);
      const args = [hello.deviceId, hello.connId, hello.issuedAt, hello.name, hello.kind, hello.nodeId, options.maxDevices, rateLimit.perSecond, rateLimit.burst, hello.tokenId ? tokenMark(hello.tokenId) : '', h.hooks];
      const reply = await run('connect', [k.devices, k.conn, k.revoked, k.meta, k.seq, hk.outbox, hk.state], args);
      h.done();
      const [now, devices] = Array.isArray(reply) ? (reply as unknown[]) : [];
      // The sweep index lives outside the user's slot, so it is written after the user's script; the next
      // touch rewrites it should this write be lost.
      await call(() => redis.zadd(PRESENCE_KEY, Number(now), presenceMember(userId, hello.deviceId)));
      // A connect keeps every key of the user (the connect script holds only three of them).
      if ((hello.retentionMs ?? 0) > 0) await run('retain', Object.values(k), [hello.retentionMs ?? 0]);
      return parseDevices(devices);
    },

    async disconnectDevice(userId, deviceId, connId) {
      const k = userKeys(userId);
      const h = hooksFor(userId);
      const hk = hookKeys(userId);
      const reply = await run('disconnect', [k.devices, k.conn, hk.outbox, hk.state], [deviceId, connId, h.hooks]);
      if (reply === null) return null;
      h.done();
      await call(() => redis.zrem(PRESENCE_KEY, presenceMember(userId, deviceId)));
      return parseDevices(reply);
    },

    async touchDevices(entries) {
      const byUser = new Map<string, string[]>();
      for (const { userId, deviceId, connId } of entries) {
        const list = byUser.get(userId) ?? [];
        list.push(deviceId, connId);
        byUser.set(userId, list);
      }
      await Promise.all(
        [...byUser].map(async ([userId, pairs]) => {
          const k = userKeys(userId);
          const reply = await run('touch', [k.devices, k.conn], pairs);
          const [now, touched] = Array.isArray(reply) ? (reply as unknown[]) : [];
          const members = strings(touched).flatMap((deviceId) => [Number(now), presenceMember(userId, deviceId)]);
          if (members.length > 0) await call(() => redis.zadd(PRESENCE_KEY, ...members));
        }),
      );
    },

    async sweepStaleDevices(staleMs): Promise<DevicesChanged[]> {
      const reply = await run('presenceStale', [PRESENCE_KEY], [staleMs, SWEEP_BATCH]);
      const [cutoff, members] = Array.isArray(reply) ? (reply as unknown[]) : [];
      const byUser = new Map<string, string[]>();
      for (const member of strings(members)) {
        const parsed = parsePresenceMember(member);
        if (!parsed) continue;
        byUser.set(parsed.userId, [...(byUser.get(parsed.userId) ?? []), parsed.deviceId]);
      }
      const changed: DevicesChanged[] = [];
      const settled: string[] = [];
      await Promise.all(
        [...byUser].map(async ([userId, deviceIds]) => {
          const k = userKeys(userId);
          const result = await run('sweepUser', [k.devices, k.conn], [staleMs, ...deviceIds]);
          const [done, devices] = Array.isArray(result) ? (result as unknown[]) : [];
          for (const deviceId of strings(done)) settled.push(presenceMember(userId, deviceId));
          if (devices !== undefined) changed.push({ userId, devices: parseDevices(devices) });
        }),
      );
      if (settled.length > 0) await run('presencePrune', [PRESENCE_KEY], [String(cutoff), ...settled]);
      return changed;
    },

    async readDevices(userId, reader) {
      const k = userKeys(userId);
      return parseDevices(await run('readDevices', [k.meta, k.devices, k.revoked], [rateLimit.perSecond, rateLimit.burst, ...readerArgs(reader)]));
    },

    async listDevices(userId) {
      const k = userKeys(userId);
      return parseDevices(await call(() => redis.hvals(k.devices)));
    },

    async revoke(userId, scope) {
      const k = userKeys(userId);
      const token = scope.token ? [tokenMark(scope.token.id), Math.floor(scope.token.until)] : ['', 0];
      const args = [scope.deviceId ?? '*', ...token, options.tokenLifetimeMs ?? 0, scope.retentionMs ?? 0];
      return Number(await run('revoke', withEveryKey(k, [k.revoked, k.devices]), args));
    },

    async isRevoked(userId, deviceId, issuedAt, tokenId) {
      return (await this.revokedSessions([{ userId, deviceId, issuedAt, ...(tokenId !== undefined ? { tokenId } : {}) }])).length > 0;
    },

    async revokedSessions(sessions) {
      // One HMGET per session (pipelined by the client): the marks that can refuse it, nothing else.
      const answers = await Promise.all(
        sessions.map((s) => {
          const fields = ['*', s.deviceId, ...(s.tokenId !== undefined ? [tokenMark(s.tokenId)] : [])];
          return call(() => redis.hmget(userKeys(s.userId).revoked, ...fields)).then((values) => {
            const marks = new Map<string, number>();
            values.forEach((v, i) => {
              const field = fields[i];
              if (v !== null && field !== undefined) marks.set(field, Number(v));
            });
            return isRevokedBy(marks, s.deviceId, s.issuedAt, s.tokenId);
          });
        }),
      );
      return answers.flatMap((revoked, i) => (revoked ? [i] : []));
    },

    async takeRateToken(userId) {
      await run('takeRate', [userKeys(userId).meta], [rateLimit.perSecond, rateLimit.burst]);
    },

    async storeId() {
      // SET NX GET: the first caller after a loss writes a new id; every caller reads the current one.
      const candidate = `s${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      const existing = await call(() => redis.set(STORE_ID_KEY, candidate, 'NX', 'GET'));
      // A store that went back in time keeps that id (it was replicated) but not its replication id.
      const histories = await call(() => replicationIds(redis));
      return `${existing ?? candidate}/${histories}`;
    },

    async ping() {
      await call(() => redis.ping());
    },

    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

import {
  DEFAULT_WATCH_RULES,
  LIMITS,
  type CartLine,
  type ErrorCode,
  type Mutation,
  type Op,
  type Snapshot,
  type WatchEntry,
} from '../../../client-sdk/src/protocol/index.ts';

/**
 * The reference model of one user's state, written from docs/architecture.md and not from the engines:
 * the fast-check test compares every engine answer with it, and the cluster scenarios use the same rules
 * to compute what the server must hold after a run.
 */
export interface UserModel {
  epoch: string | null;
  version: number;
  cart: Map<string, CartLine>;
  watch: Map<string, WatchEntry>;
  /** deviceId → last applied seq and the version it committed at */
  seqs: Map<string, { seq: number; version: number }>;
  log: ModelChange[];
}

export interface ModelChange {
  version: number;
  deviceId: string;
  seq: number;
  op: Op;
}

export type ModelOutcome =
  | { kind: 'applied'; version: number; op: Op }
  /** A resend: the answer's version must lie between the one it committed at and the current one. */
  | { kind: 'duplicate'; minVersion: number; maxVersion: number }
  | { kind: 'refused'; code: ErrorCode };

export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export function emptyUser(): UserModel {
  return { epoch: null, version: 0, cart: new Map(), watch: new Map(), seqs: new Map(), log: [] };
}

/** A store that lost its data: a new epoch, version 0, no seqs (every resend is accepted again). */
export function wipeUser(user: UserModel): void {
  user.epoch = null;
  user.version = 0;
  user.cart.clear();
  user.watch.clear();
  user.seqs.clear();
  user.log = [];
}

export function cloneUser(user: UserModel): UserModel {
  return {
    epoch: user.epoch,
    version: user.version,
    cart: new Map(user.cart),
    watch: new Map(user.watch),
    seqs: new Map(user.seqs),
    log: [...user.log],
  };
}

/** The outcome of the cart and watch rules alone (no seq bookkeeping): the op to commit, or a refusal. */
export function evaluate(user: UserModel, deviceId: string, mutation: Mutation, serverNow: number): Op | { refused: ErrorCode } {
  switch (mutation.event) {
    case 'cart:add': {
      const { sku, title, priceCents, qty } = mutation.request;
      const existing = user.cart.get(sku);
      const total = (existing?.qty ?? 0) + qty;
      if (total > LIMITS.qtyMax) return { refused: 'bad_request' };
      if (!existing && user.cart.size >= LIMITS.cartLines) return { refused: 'bad_request' };
      return { type: 'cart:line', sku, line: { sku, title, priceCents, qty: total } };
    }
    case 'cart:set': {
      const { sku, qty } = mutation.request;
      const existing = user.cart.get(sku);
      if (!existing) return { refused: 'not_found' };
      return { type: 'cart:line', sku, line: qty === 0 ? null : { ...existing, qty } };
    }
    case 'cart:remove': {
      const { sku } = mutation.request;
      return user.cart.has(sku) ? { type: 'cart:line', sku, line: null } : { type: 'noop' };
    }
    case 'cart:clear':
      return { type: 'cart:clear' };
    case 'watch:report': {
      const { videoId, kind } = mutation.request;
      // Seconds are stored to the millisecond (docs: both engines keep the very same doubles).
      const positionSec = roundSeconds(mutation.request.positionSec);
      const durationSec = roundSeconds(mutation.request.durationSec);
      const at = Math.min(mutation.request.at, serverNow);
      const existing = user.watch.get(videoId);
      if (existing && at <= existing.updatedAt) return { type: 'noop' };
      if (existing && kind === 'progress' && positionSec < existing.positionSec) return { type: 'noop' };
      // The resume rules (README "Watch progress"), with the defaults the fault gateways run with.
      const rules = DEFAULT_WATCH_RULES;
      const long = durationSec >= rules.minDurationSec;
      const watched = positionSec * 100 > rules.maxResumePct * durationSec || (long && durationSec - positionSec <= rules.creditsSec);
      const resumes = !watched && long && positionSec * 100 >= rules.minResumePct * durationSec;
      const entry: WatchEntry = {
        videoId,
        positionSec: resumes ? positionSec : 0,
        durationSec,
        updatedAt: at,
        deviceId,
        completed: watched || (!resumes && (existing?.completed ?? false)),
      };
      return { type: 'watch', entry, trimmed: trimmedBy(user, entry) };
    }
    case 'watch:remove':
      return user.watch.has(mutation.request.videoId) ? { type: 'watch:remove', videoId: mutation.request.videoId } : { type: 'noop' };
  }
}

function trimmedBy(user: UserModel, entry: WatchEntry): string[] {
  if (user.watch.has(entry.videoId) || user.watch.size < LIMITS.watchEntries) return [];
  const oldest = [...user.watch.values()].sort((a, b) => a.updatedAt - b.updatedAt || a.videoId.localeCompare(b.videoId))[0];
  return oldest ? [oldest.videoId] : [];
}

/** Applies a committed op to the state (also how a client applies a change it receives). */
export function applyOp(user: Pick<UserModel, 'cart' | 'watch'>, op: Op): void {
  switch (op.type) {
    case 'cart:line':
      if (op.line) user.cart.set(op.sku, op.line);
      else user.cart.delete(op.sku);
      return;
    case 'cart:clear':
      user.cart.clear();
      return;
    case 'watch':
      for (const id of op.trimmed) user.watch.delete(id);
      user.watch.set(op.entry.videoId, op.entry);
      return;
    case 'watch:remove':
      user.watch.delete(op.videoId);
      return;
    case 'cart:unfreeze':
      if (op.cleared) user.cart.clear();
      return;
    case 'merge':
      user.cart.clear();
      for (const line of op.cart) user.cart.set(line.sku, line);
      for (const id of op.trimmed) user.watch.delete(id);
      for (const entry of op.watch) user.watch.set(entry.videoId, entry);
      return;
    case 'cart:freeze':
    case 'noop':
      return;
  }
}

/** One mutation through the whole contract: duplicate check, rules, version bump, log append. */
export function mutate(user: UserModel, deviceId: string, mutation: Mutation, serverNow: number): ModelOutcome {
  const seq = mutation.request.seq;
  const applied = user.seqs.get(deviceId);
  if (applied && seq <= applied.seq) return { kind: 'duplicate', minVersion: applied.version, maxVersion: user.version };
  const result = evaluate(user, deviceId, mutation, serverNow);
  if ('refused' in result) return { kind: 'refused', code: result.refused };
  user.version += 1;
  user.seqs.set(deviceId, { seq, version: user.version });
  applyOp(user, result);
  user.log.push({ version: user.version, deviceId, seq, op: result });
  if (user.log.length > LIMITS.changeLog) user.log.shift();
  return { kind: 'applied', version: user.version, op: result };
}

/** What `sync(since)` must answer: the changes after `since`, or a snapshot. */
export function syncAnswer(
  user: UserModel,
  since: { epoch: string; version: number } | null,
): { kind: 'changes'; changes: ModelChange[] } | { kind: 'snapshot'; state: Snapshot } {
  const oldest = user.log[0]?.version ?? user.version + 1;
  const reaches = since !== null && since.epoch === user.epoch && since.version <= user.version && since.version >= oldest - 1;
  const missing = user.version - (since?.version ?? 0);
  if (since !== null && reaches && missing <= LIMITS.syncBatch) {
    return { kind: 'changes', changes: user.log.filter((c) => c.version > since.version) };
  }
  return { kind: 'snapshot', state: snapshotOf(user) };
}

/** A state in canonical order (lines by sku, entries by videoId), so two states compare with JSON equality. */
export function snapshotOf(user: Pick<UserModel, 'cart' | 'watch'>): Snapshot {
  return canonical({ cart: [...user.cart.values()], watch: [...user.watch.values()] });
}

export function canonical(state: Snapshot): Snapshot {
  return {
    cart: [...state.cart].sort((a, b) => a.sku.localeCompare(b.sku)).map((l) => ({ sku: l.sku, title: l.title, priceCents: l.priceCents, qty: l.qty })),
    watch: [...state.watch]
      .sort((a, b) => a.videoId.localeCompare(b.videoId))
      .map((w) => ({
        videoId: w.videoId,
        positionSec: w.positionSec,
        durationSec: w.durationSec,
        updatedAt: w.updatedAt,
        deviceId: w.deviceId,
        completed: w.completed,
      })),
  };
}

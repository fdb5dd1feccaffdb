import { randomBytes } from 'node:crypto';
import type { SyncPayload } from '../../../client-sdk/src/protocol/index.ts';
import { sortCartLines, sortWatchEntries } from '../../../client-sdk/src/rules/index.ts';
import { firstPage, jsonBytes, planSync } from '../../domain/sync.ts';
import type { UserState } from './user-state.ts';

/**
 * As sync-prelude.lua: the changes after `since` up to LIMITS.syncBytes (a client that pages gets the first
 * page and `more`; one that does not, a snapshot), or a snapshot. A client ahead of the log forks it (a new
 * epoch) and learns which versions are gone. `bytes`: what the answer's changes or state weigh.
 */
export function syncOf(
  state: UserState,
  since: { epoch: string; version: number } | null,
  paged = false,
): { sync: SyncPayload; newlyLost: number; bytes: number } {
  const plan = planSync(since, state.epoch, state.version, state.log.length, state.fork?.version ?? 0);
  if (plan.kind === 'changes') {
    const { page, bytes, more } = firstPage(state.log.slice(state.log.length - (state.version - plan.fromVersion)), jsonBytes);
    if (!more || paged) {
      const sync: SyncPayload = { kind: 'changes', epoch: state.epoch, version: state.version, changes: structuredClone(page), ...(more ? { more: true as const } : {}) };
      return { sync, newlyLost: 0, bytes };
    }
  }
  if (since && since.epoch === state.epoch && since.version > state.version) {
    state.fork = { epoch: state.epoch, version: state.version };
    state.epoch = `m${randomBytes(8).toString('hex')}`;
  }
  const snapshot = {
    kind: 'snapshot' as const,
    epoch: state.epoch,
    version: state.version,
    state: {
      cart: sortCartLines(state.cart.values()).map((l) => ({ ...l })),
      watch: sortWatchEntries(state.watch.values()).map((e) => ({ ...e })),
      ...(state.freeze ? { frozen: { ...state.freeze } } : {}),
    },
  };
  const bytes = snapshot.state.cart.reduce((n, l) => n + jsonBytes(l), 0) + snapshot.state.watch.reduce((n, e) => n + jsonBytes(e), 0);
  const fork = state.fork;
  if (!since || !fork || since.epoch !== fork.epoch || since.version <= fork.version) return { sync: snapshot, newlyLost: 0, bytes };
  const counted = state.lostCounted?.epoch === fork.epoch ? Math.max(fork.version, state.lostCounted.version) : fork.version;
  const newlyLost = Math.max(0, since.version - counted);
  if (newlyLost > 0) state.lostCounted = { epoch: fork.epoch, version: since.version };
  const reset = { reason: 'store_regressed' as const, epoch: fork.epoch, fromVersion: fork.version + 1, toVersion: since.version };
  return { sync: { ...snapshot, reset }, newlyLost, bytes };
}

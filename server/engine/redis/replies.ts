/** Parsing of the read scripts' replies (devices, sync) into protocol shapes, in the rules' order. */
import type { CartLine, Change, Device, SyncPayload, WatchEntry } from '../../../client-sdk/src/protocol/index.ts';
import { sortCartLines, sortDevices, sortWatchEntries } from '../../../client-sdk/src/rules/index.ts';

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
export function parseDevices(value: unknown): Device[] {
  return sortDevices(strings(value).map((raw) => JSON.parse(raw) as Device));
}

/** The reply of `sync_reply` (scripts/sync-prelude.lua), and how many lost versions it counted first. */
export function parseSync(reply: unknown): { sync: SyncPayload; newlyLost: number } {
  const [kind, epoch, version, first, second, freezeId, freezeExpires, lostEpoch, lostFrom, lostTo, fresh] = Array.isArray(reply) ? (reply as unknown[]) : [];
  const base = { epoch: String(epoch), version: Number(version) };
  if (kind === 'changes') {
    const changes = strings(first).map((raw) => JSON.parse(raw) as Change);
    return { sync: { kind: 'changes', ...base, changes, ...(Number(second) === 1 ? { more: true as const } : {}) }, newlyLost: 0 };
  }
  const state = {
    cart: sortCartLines(strings(first).map((raw) => JSON.parse(raw) as CartLine)),
    watch: sortWatchEntries(strings(second).map((raw) => JSON.parse(raw) as WatchEntry)),
    ...(typeof freezeId === 'string' && freezeId !== '' ? { frozen: { checkoutId: freezeId, expiresAt: Number(freezeExpires) } } : {}),
  };
  if (lostEpoch === undefined) return { sync: { kind: 'snapshot', ...base, state }, newlyLost: 0 };
  const reset = { reason: 'store_regressed' as const, epoch: String(lostEpoch), fromVersion: Number(lostFrom), toVersion: Number(lostTo) };
  return { sync: { kind: 'snapshot', ...base, state, reset }, newlyLost: Number(fresh) };
}

import { LIMITS } from '../../client-sdk/src/protocol/index.ts';

/** The UTF-8 bytes of a value's JSON, as a sync answer counts them. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * The first items whose sizes add up to at most `limit` bytes (at least one item, so a page always moves the
 * client on), and whether any were left out. `sync-prelude.lua`'s `changes_page` does the same in Redis.
 */
export function firstPage<T>(items: readonly T[], sizeOf: (item: T) => number, limit: number = LIMITS.syncBytes): { page: T[]; bytes: number; more: boolean } {
  const page: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (page.length > 0 && bytes + size > limit) return { page, bytes, more: true };
    page.push(item);
    bytes += size;
  }
  return { page, bytes, more: false };
}

/** What a sync answers: the log from `fromVersion` (exclusive) on, or a snapshot. */
export type SyncPlan = { kind: 'changes'; fromVersion: number } | { kind: 'snapshot' };

/**
 * Changes when the client is on this epoch, not ahead of the server, and the log (holding `logged` changes,
 * the newest being `version`) still reaches back to its version; a snapshot otherwise.
 * An epoch forked from an older history begins at `floor` (the fork's version): the log's changes below it
 * belong to the old epoch, so a cursor below it gets a snapshot.
 * `sync-prelude.lua` decides the same way inside Redis.
 */
export function planSync(
  since: { epoch: string; version: number } | null,
  epoch: string,
  version: number,
  logged: number,
  floor = 0,
): SyncPlan {
  if (!since || since.epoch !== epoch || since.version > version || since.version < floor) return { kind: 'snapshot' };
  const missing = version - since.version;
  if (missing > logged || missing > LIMITS.syncBatch) return { kind: 'snapshot' };
  return { kind: 'changes', fromVersion: since.version };
}

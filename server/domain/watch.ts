import { LIMITS, type Op, type WatchEntry, type WatchReportRequest } from '../../client-sdk/src/protocol/index.ts';

/** Orders entries oldest first (by updatedAt, then videoId): the order in which they are trimmed. */
function olderFirst(a: WatchEntry, b: WatchEntry): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt - b.updatedAt;
  return a.videoId < b.videoId ? -1 : a.videoId > b.videoId ? 1 : 0;
}

/**
 * Decides what a (validated, normalized) watch report does: a `watch` Op when it wins, else a `noop`.
 * Rules: the event time is clamped to `now`; a report wins only when it is later than the stored `updatedAt`;
 * a `progress` report never lowers the position (it loses instead), a `seek` may. The new entry is never
 * trimmed; past the cap the oldest other entries (by updatedAt, then videoId: Redis' zset order) are.
 * The Lua script `mutate-watch.lua` implements the same rules; the contract suite holds them equal.
 */
export function watchOp(
  entries: ReadonlyMap<string, WatchEntry>,
  report: WatchReportRequest,
  deviceId: string,
  now: number,
): Op {
  const at = Math.min(report.at, now);
  const existing = entries.get(report.videoId);
  if (existing) {
    if (at <= existing.updatedAt) return { type: 'noop' };
    if (report.kind === 'progress' && report.positionSec < existing.positionSec) return { type: 'noop' };
  }
  const entry: WatchEntry = {
    videoId: report.videoId,
    positionSec: report.positionSec,
    durationSec: report.durationSec,
    updatedAt: at,
    deviceId,
    completed: report.positionSec >= LIMITS.completedFraction * report.durationSec,
  };
  const excess = existing ? 0 : entries.size + 1 - LIMITS.watchEntries;
  const trimmed =
    excess > 0
      ? [...entries.values()]
          .sort(olderFirst)
          .slice(0, excess)
          .map((e) => e.videoId)
      : [];
  return { type: 'watch', entry, trimmed };
}

/** `watch:remove`: the video leaves the user's watch progress; a missing one is a `noop`. */
export function watchRemoveOp(entries: ReadonlyMap<string, WatchEntry>, videoId: string): Op {
  return entries.has(videoId) ? { type: 'watch:remove', videoId } : { type: 'noop' };
}

/** Applies a committed watch Op (idempotent). */
export function applyWatchOp(entries: Map<string, WatchEntry>, op: Op): void {
  if (op.type === 'watch') {
    for (const videoId of op.trimmed) entries.delete(videoId);
    entries.set(op.entry.videoId, { ...op.entry });
  } else if (op.type === 'watch:remove') {
    entries.delete(op.videoId);
  } else if (op.type === 'merge') {
    for (const videoId of op.trimmed) entries.delete(videoId);
    for (const entry of op.watch) entries.set(entry.videoId, { ...entry });
  }
}

/** Snapshot order of watch entries: newest first (by updatedAt, then videoId). */
export function sortWatchEntries(entries: Iterable<WatchEntry>): WatchEntry[] {
  return [...entries].sort((a, b) => olderFirst(b, a));
}

/** The "continue watching" view: unfinished videos, newest first. */
export function continueWatching(entries: Iterable<WatchEntry>): WatchEntry[] {
  return sortWatchEntries(entries).filter((e) => !e.completed);
}

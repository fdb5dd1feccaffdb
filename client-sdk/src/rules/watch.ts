import { LIMITS, type Op, type WatchEntry, type WatchReportRequest, type WatchRules } from '../protocol/index.js';
import { isResumable, resumePoint } from './resume.js';

/** A watch report as the rules see it (its `seq`, if any, plays no part). */
export type WatchReport = Omit<WatchReportRequest, 'seq'>;

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Oldest first (by updatedAt, then videoId): the order entries are trimmed in, Redis' zset order. */
function olderFirst(a: WatchEntry, b: WatchEntry): number {
  return a.updatedAt - b.updatedAt || byId(a.videoId, b.videoId);
}

/** Newest first: exactly the reverse of trim order, so the entry trimmed last is listed first. */
function newestFirst(a: WatchEntry, b: WatchEntry): number {
  return olderFirst(b, a);
}

/** Seconds are kept to the millisecond so both engines store (and compare) the very same doubles. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** The report with its seconds rounded as every engine stores them. */
export function normalizeWatchReport<R extends WatchReport>(report: R): R {
  return { ...report, positionSec: roundSeconds(report.positionSec), durationSec: roundSeconds(report.durationSec) };
}

/**
 * What a (validated, normalized) watch report does: a `watch` delta when it wins, else a `noop` (a report is
 * never refused). The event time is clamped to `now`; a report wins only when it is later than the stored
 * `updatedAt`; a `progress` report never lowers the stored position (it loses instead), a `seek` (the SDK's
 * seek, pause and close) may. The stored position is the resume point `rules` make of the report
 * (resumePoint). The new entry is never trimmed; past the cap the oldest other entries are.
 * `mutate-watch.lua` is Redis's side of it.
 */
export function decideWatch(entries: ReadonlyMap<string, WatchEntry>, report: WatchReport, deviceId: string, now: number, rules: WatchRules): Op {
  const at = Math.min(report.at, now);
  const existing = entries.get(report.videoId);
  if (existing) {
    if (at <= existing.updatedAt) return { type: 'noop' };
    if (report.kind === 'progress' && report.positionSec < existing.positionSec) return { type: 'noop' };
  }
  const resume = resumePoint(report.positionSec, report.durationSec, existing?.completed ?? false, rules);
  const entry: WatchEntry = {
    videoId: report.videoId,
    positionSec: resume.positionSec,
    durationSec: report.durationSec,
    updatedAt: at,
    deviceId,
    completed: resume.completed,
  };
  const excess = existing ? 0 : entries.size + 1 - LIMITS.watchEntries;
  const trimmed = excess > 0 ? [...entries.values()].sort(olderFirst).slice(0, excess).map((e) => e.videoId) : [];
  return { type: 'watch', entry, trimmed };
}

/** When (server ms) and by whom (a deviceId or a backend writer) a video was last removed. */
export interface RemovalMark {
  at: number;
  by: string;
}

/**
 * A report made (its `at`, clamped to now) before the video's removal by another device or the backend is
 * dropped (a `noop`): a report held back on the TV must not bring back what the phone removed. A later one
 * does. The remover's own later reports follow its removal in its own order (its SDK drops a report it still
 * held back when the app removes the video), so they are not dropped even if made offline before it arrived.
 */
export function reportedBeforeRemoval(mark: RemovalMark | undefined, report: Pick<WatchReport, 'at'>, deviceId: string, now: number): boolean {
  return mark !== undefined && mark.by !== deviceId && Math.min(report.at, now) < mark.at;
}

/** `watch:remove`: the video leaves the user's watch progress; a missing one is a `noop`. */
export function decideWatchRemove(entries: ReadonlyMap<string, WatchEntry>, videoId: string): Op {
  return entries.has(videoId) ? { type: 'watch:remove', videoId } : { type: 'noop' };
}

/** Whether a committed delta changes the watch entries. */
export function touchesWatch(op: Op): boolean {
  return op.type === 'watch' || op.type === 'merge' || op.type === 'watch:remove';
}

/** Applies a committed watch delta in place (idempotent). */
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

/** Snapshot order of watch entries: newest first. */
export function sortWatchEntries(entries: Iterable<WatchEntry>): WatchEntry[] {
  return [...entries].sort(newestFirst);
}

/** The "continue watching" view: unfinished videos with a resume point, newest first. */
export function continueWatching(entries: Iterable<WatchEntry>): WatchEntry[] {
  return sortWatchEntries(entries).filter(isResumable);
}

import type { WatchRules } from '../protocol/index.js';

/** Where a report leaves a video: the position to resume at (0: from the start) and whether it counts as watched. */
export interface ResumePoint {
  readonly positionSec: number;
  readonly completed: boolean;
}

/**
 * The streaming rules (Jellyfin's MinResumePct / MaxResumePct / MinResumeDuration, plus the credits):
 * - past `maxResumePct` of the video, or (for a video long enough to resume) within `creditsSec` of its end,
 *   it counts as watched: completed, resume point 0, out of "continue watching";
 * - a video shorter than `minDurationSec`, or a position below `minResumePct`, gets no resume point (0) and
 *   keeps its watched mark: watching the first minute of a finished film again does not unfinish it;
 * - anything else is a resume point, and a video watched before is unfinished again (it is being rewatched).
 * `mutate-watch.lua` and `backend-write.lua` compute the same with the same float operations, in this order.
 */
export function resumePoint(positionSec: number, durationSec: number, wasCompleted: boolean, rules: WatchRules): ResumePoint {
  const resumable = durationSec >= rules.minDurationSec;
  const watched = positionSec * 100 > rules.maxResumePct * durationSec || (resumable && durationSec - positionSec <= rules.creditsSec);
  if (watched) return { positionSec: 0, completed: true };
  if (resumable && positionSec * 100 >= rules.minResumePct * durationSec) return { positionSec, completed: false };
  return { positionSec: 0, completed: wasCompleted };
}

/** Whether an entry belongs in "continue watching": unfinished, with a resume point. */
export function isResumable(entry: ResumePoint): boolean {
  return !entry.completed && entry.positionSec > 0;
}

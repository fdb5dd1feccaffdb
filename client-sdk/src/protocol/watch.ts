import { LIMITS } from './limits.js';
import { DeviceId, Millis, Seq, VideoId } from './primitives.js';
import * as s from './schema/index.js';

/**
 * `progress` (throttled reports while playing) never moves a video's position backwards; `seek` (a position
 * the user chose: the SDK sends seeks, pauses and closing the player as `seek`) may. Both win only when their
 * event time is later than the stored one.
 */
export const WatchReportKind = s.enumOf(['progress', 'seek']);
export type WatchReportKind = s.Infer<typeof WatchReportKind>;

const Seconds = s.number({ min: 0, max: LIMITS.durationSecMax });

export const WatchReportRequest = s.refine(
  s.object({
    seq: Seq,
    videoId: VideoId,
    positionSec: Seconds,
    durationSec: s.refine(Seconds, (d) => d > 0, 'must be more than 0'),
    /** When the user was at this position, in server time (client clock corrected by its offset). */
    at: Millis,
    kind: WatchReportKind,
  }),
  (r) => r.positionSec <= r.durationSec,
  'must not exceed durationSec',
  ['positionSec'],
);
export type WatchReportRequest = s.Infer<typeof WatchReportRequest>;

export const WatchEntry = s.object({
  videoId: VideoId,
  positionSec: Seconds,
  durationSec: Seconds,
  /** Event time of the winning report (server clock, ms). */
  updatedAt: Millis,
  deviceId: DeviceId,
  completed: s.boolean(),
});
export type WatchEntry = s.Infer<typeof WatchEntry>;

/** `watch:remove`: takes the video off the user's watch progress on every device (removing a missing one is a no-op). */
export const WatchRemoveRequest = s.object({ seq: Seq, videoId: VideoId });
export type WatchRemoveRequest = s.Infer<typeof WatchRemoveRequest>;

const Percent = s.number({ min: 0, max: 100 });

/**
 * What a report leaves as the video's resume point (WATCH_* variables on the server; see rules/resume.ts).
 * The server sends its rules in every `sync:since` answer, so the SDK predicts with the same ones.
 */
export const WatchRules = s.refine(
  s.object({
    /** Below this percentage of the video a position is no resume point (the video starts over). */
    minResumePct: Percent,
    /** Past this percentage the video counts as watched and leaves "continue watching". */
    maxResumePct: Percent,
    /** Videos shorter than this get no resume point (clips, trailers). */
    minDurationSec: Seconds,
    /** A resumable video this close to its end (the credits) counts as watched. */
    creditsSec: Seconds,
  }),
  (r) => r.minResumePct <= r.maxResumePct,
  'must not exceed maxResumePct',
  ['minResumePct'],
);
export type WatchRules = s.Infer<typeof WatchRules>;

/** The rules a server uses unless configured otherwise (and an SDK until its first sync). */
export const DEFAULT_WATCH_RULES: WatchRules = Object.freeze({ minResumePct: 5, maxResumePct: 90, minDurationSec: 300, creditsSec: 30 });

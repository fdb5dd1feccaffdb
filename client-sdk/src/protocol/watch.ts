import { LIMITS } from './limits.js';
import { DeviceId, Millis, Seq, VideoId } from './primitives.js';
import * as s from './schema/index.js';

/**
 * `progress` never moves a video's position backwards; `seek` (an explicit jump by the user) may.
 * Both win only when their event time is later than the stored one.
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

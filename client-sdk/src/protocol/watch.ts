import * as z from 'zod';
import { LIMITS } from './limits.js';
import { DeviceId, Millis, Seq, VideoId } from './primitives.js';

/**
 * `progress` never moves a video's position backwards; `seek` (an explicit jump by the user) may.
 * Both win only when their event time is later than the stored one.
 */
export const WatchReportKind = z.enum(['progress', 'seek']);
export type WatchReportKind = z.infer<typeof WatchReportKind>;

const Seconds = z.number().min(0).max(LIMITS.durationSecMax);

export const WatchReportRequest = z
  .strictObject({
    seq: Seq,
    videoId: VideoId,
    positionSec: Seconds,
    durationSec: Seconds.refine((d) => d > 0, 'durationSec must be positive'),
    /** When the user was at this position, in server time (client clock corrected by its offset). */
    at: Millis,
    kind: WatchReportKind,
  })
  .refine((r) => r.positionSec <= r.durationSec, { message: 'positionSec exceeds durationSec', path: ['positionSec'] });
export type WatchReportRequest = z.infer<typeof WatchReportRequest>;

export const WatchEntry = z.strictObject({
  videoId: VideoId,
  positionSec: Seconds,
  durationSec: Seconds,
  /** Event time of the winning report (server clock, ms). */
  updatedAt: Millis,
  deviceId: DeviceId,
  completed: z.boolean(),
});
export type WatchEntry = z.infer<typeof WatchEntry>;

/** `watch:remove`: takes the video off the user's watch progress on every device (removing a missing one is a no-op). */
export const WatchRemoveRequest = z.strictObject({ seq: Seq, videoId: VideoId });
export type WatchRemoveRequest = z.infer<typeof WatchRemoveRequest>;

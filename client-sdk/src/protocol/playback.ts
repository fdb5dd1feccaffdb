import { LIMITS } from './limits.js';
import { DeviceId, Millis, VideoId } from './primitives.js';
import * as s from './schema/index.js';

/**
 * `playback:handoff`: "continue this video on that device". Delivered live to the target device's connection
 * (on whichever node holds it) and never stored: the answer comes once the target's client took it, and an
 * offline or unknown target answers `not_found`.
 */
export const PlaybackHandoffRequest = s.object({
  /** The user's device that should continue (not this one). */
  deviceId: DeviceId,
  videoId: VideoId,
  positionSec: s.number({ min: 0, max: LIMITS.durationSecMax }),
});
export type PlaybackHandoffRequest = s.Infer<typeof PlaybackHandoffRequest>;

/** The answer: the target took it at `deliveredAt` (server time). */
export const PlaybackHandoffResult = s.object({ deliveredAt: Millis });
export type PlaybackHandoffResult = s.Infer<typeof PlaybackHandoffResult>;

/** Pushed to the target device, which acknowledges it with `{ok: true}`: play `videoId` from `positionSec`. */
export const PlaybackHandoff = s.object({
  fromDeviceId: DeviceId,
  videoId: VideoId,
  positionSec: s.number({ min: 0, max: LIMITS.durationSecMax }),
  /** When it was sent (server time). */
  at: Millis,
});
export type PlaybackHandoff = s.Infer<typeof PlaybackHandoff>;

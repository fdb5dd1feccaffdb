/** The simulated video player: a playhead that moves while playing (pure, so it is tested without a browser). */

export interface PlayerState {
  videoId: string;
  durationSec: number;
  positionSec: number;
  playing: boolean;
}

/** Playback speed of the simulated player: a demo should not take 25 minutes. */
export const DEMO_SPEEDS = [1, 10, 60] as const;
export type DemoSpeed = (typeof DEMO_SPEEDS)[number];

const clamp = (value: number, max: number) => Math.min(max, Math.max(0, value));

export function load(videoId: string, durationSec: number, positionSec = 0): PlayerState {
  // A finished video starts over, as players do.
  const start = positionSec >= durationSec ? 0 : clamp(positionSec, durationSec);
  return { videoId, durationSec, positionSec: start, playing: false };
}

export function play(state: PlayerState): PlayerState {
  if (state.playing) return state;
  return { ...state, playing: true, positionSec: state.positionSec >= state.durationSec ? 0 : state.positionSec };
}

export function pause(state: PlayerState): PlayerState {
  return state.playing ? { ...state, playing: false } : state;
}

export function seek(state: PlayerState, positionSec: number): PlayerState {
  return { ...state, positionSec: clamp(positionSec, state.durationSec) };
}

/** Advances a playing state by `elapsedMs` of wall time at `speed`; stops at the end. */
export function tick(state: PlayerState, elapsedMs: number, speed: number): PlayerState {
  if (!state.playing || elapsedMs <= 0) return state;
  const positionSec = clamp(state.positionSec + (elapsedMs / 1000) * speed, state.durationSec);
  return { ...state, positionSec, playing: positionSec < state.durationSec };
}

/** Whether the player should take a position reported by another device (it does not while playing here). */
export function shouldAdopt(state: PlayerState, remote: { videoId: string; positionSec: number }): boolean {
  return !state.playing && remote.videoId === state.videoId && Math.abs(remote.positionSec - state.positionSec) >= 1;
}

import { describe, expect, it } from 'vitest';
import { load, pause, play, seek, shouldAdopt, tick } from '../src/player-model.ts';

describe('player model', () => {
  it('loads paused at a position, restarting a finished video', () => {
    expect(load('v', 100, 30)).toEqual({ videoId: 'v', durationSec: 100, positionSec: 30, playing: false });
    expect(load('v', 100, 100).positionSec).toBe(0);
    expect(load('v', 100, -5).positionSec).toBe(0);
  });

  it('moves the playhead only while playing, at the demo speed', () => {
    const paused = load('v', 100, 10);
    expect(tick(paused, 1000, 10)).toBe(paused);
    const playing = play(paused);
    expect(tick(playing, 500, 10).positionSec).toBe(15);
    expect(tick(playing, 0, 10)).toBe(playing);
  });

  it('stops at the end', () => {
    const end = tick(play(load('v', 100, 95)), 1000, 10);
    expect(end).toMatchObject({ positionSec: 100, playing: false });
    expect(play(end).positionSec).toBe(0);
  });

  it('seeks within the video and pauses idempotently', () => {
    const state = load('v', 100, 10);
    expect(seek(state, 250).positionSec).toBe(100);
    expect(seek(state, -1).positionSec).toBe(0);
    expect(pause(state)).toBe(state);
    expect(pause(play(state)).playing).toBe(false);
  });

  it('follows another device only while paused on the same video', () => {
    const state = load('v', 100, 10);
    expect(shouldAdopt(state, { videoId: 'v', positionSec: 60 })).toBe(true);
    expect(shouldAdopt(state, { videoId: 'v', positionSec: 10.4 })).toBe(false);
    expect(shouldAdopt(state, { videoId: 'w', positionSec: 60 })).toBe(false);
    expect(shouldAdopt(play(state), { videoId: 'v', positionSec: 60 })).toBe(false);
  });
});

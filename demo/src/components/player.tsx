import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { SyncClient, WatchView } from '../../../client-sdk/src/index.ts';
import type { WatchEvent } from '../../../client-sdk/src/index.ts';
import { VIDEOS, findVideo } from '../catalog.ts';
import { formatDuration } from '../format.ts';
import { DEMO_SPEEDS, load, pause, play, seek, shouldAdopt, tick, type DemoSpeed, type PlayerState } from '../player-model.ts';
import { Icon } from './icons.tsx';

export interface PlayerControls {
  state: PlayerState;
  speed: DemoSpeed;
  toggle(): void;
  seekTo(positionSec: number): void;
  open(videoId: string, positionSec?: number, autoplay?: boolean): void;
  /** Pauses if playing (and reports it): after a handoff, the other device plays on. */
  pause(): void;
  cycleSpeed(): void;
}

/** "Continue on laptop": shown when another device of the user can take the video. */
export interface HandoffButton {
  label: string;
  onClick(): void;
}

const TICK_MS = 250;

/** The simulated player's state, reporting progress through `client.watch.report`. */
export function usePlayer(client: SyncClient, watch: WatchView, onError: (error: unknown) => void): PlayerControls {
  const first = VIDEOS[0];
  const [state, setState] = useState<PlayerState>(() => load(first?.videoId ?? 'video', first?.durationSec ?? 600));
  const [speed, setSpeed] = useState<DemoSpeed>(10);
  const current = useRef(state);
  current.current = state;

  const report = useCallback(
    (s: PlayerState, event: WatchEvent) => {
      const position = Math.min(s.durationSec, Math.round(s.positionSec * 10) / 10);
      client.watch.report(s.videoId, position, s.durationSec, { event }).catch(onError);
    },
    [client, onError],
  );

  const update = useCallback((next: PlayerState) => {
    current.current = next;
    setState(next);
  }, []);

  useEffect(() => {
    if (!state.playing) return;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const next = tick(current.current, now - last, speed);
      last = now;
      update(next);
      report(next, next.playing ? 'progress' : 'pause');
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [state.playing, speed, report, update]);

  // Paused here while another device moved on: pick up where it is.
  const entry = watch.entries.get(state.videoId);
  useEffect(() => {
    if (entry && shouldAdopt(current.current, entry)) update(seek(current.current, entry.positionSec));
  }, [entry, update]);

  return {
    state,
    speed,
    toggle() {
      const s = current.current;
      const next = s.playing ? pause(s) : play(s);
      update(next);
      report(next, next.playing ? 'progress' : 'pause');
    },
    pause() {
      const s = current.current;
      if (!s.playing) return;
      const next = pause(s);
      update(next);
      report(next, 'pause');
    },
    seekTo(positionSec) {
      const next = seek(current.current, positionSec);
      update(next);
      report(next, 'seek');
    },
    open(videoId, positionSec, autoplay = false) {
      const video = findVideo(videoId);
      const duration = video?.durationSec ?? watch.entries.get(videoId)?.durationSec ?? 600;
      const s = current.current;
      if (s.playing) report(pause(s), 'close');
      const stored = positionSec ?? watch.entries.get(videoId)?.positionSec ?? 0;
      const loaded = load(videoId, duration, stored);
      const next = autoplay ? play(loaded) : loaded;
      update(next);
      if (autoplay) report(next, 'progress');
    },
    cycleSpeed() {
      setSpeed((s) => DEMO_SPEEDS[(DEMO_SPEEDS.indexOf(s) + 1) % DEMO_SPEEDS.length] ?? 10);
    },
  };
}

export function Player(props: { player: PlayerControls; compact?: boolean; handoff?: HandoffButton | null }) {
  const { state, speed } = props.player;
  const video = findVideo(state.videoId);
  const hue = video?.hue ?? 210;
  const fraction = state.durationSec > 0 ? state.positionSec / state.durationSec : 0;

  const seekFromPointer = (event: PointerEvent<HTMLDivElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    props.player.seekTo(ratio * state.durationSec);
  };
  const seekFromKeys = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === 'ArrowRight' ? 10 : event.key === 'ArrowLeft' ? -10 : 0;
    if (step === 0) return;
    event.preventDefault();
    props.player.seekTo(state.positionSec + step);
  };

  return (
    <div className={`player${props.compact ? ' compact' : ''}`} data-testid="player">
      <div className="player-head">
        <h3>Now playing</h3>
        <select className="video-select" value={state.videoId} aria-label="Video" onChange={(event) => props.player.open(event.target.value)}>
          {VIDEOS.map((v) => (
            <option key={v.videoId} value={v.videoId}>
              {v.title}
            </option>
          ))}
        </select>
      </div>
      <div
        className={`screen${state.playing ? ' playing' : ''}`}
        style={{ background: `linear-gradient(135deg, hsl(${hue} 70% 28%), hsl(${(hue + 40) % 360} 65% 45%))` }}
        onClick={props.player.toggle}
      >
        <div className="screen-glow" style={{ left: `${10 + fraction * 70}%` }} />
        <div className="screen-title">
          <strong>{video?.title ?? state.videoId}</strong>
          <span>{video?.subtitle ?? ''}</span>
        </div>
        {!state.playing && (
          <span className="big-play">
            <Icon name="play" size={26} filled />
          </span>
        )}
        <span className="speed-badge">{speed}× demo speed</span>
      </div>
      <div
        className="scrubber"
        role="slider"
        tabIndex={0}
        aria-label="Seek"
        aria-valuemin={0}
        aria-valuemax={Math.round(state.durationSec)}
        aria-valuenow={Math.round(state.positionSec)}
        aria-valuetext={formatDuration(state.positionSec)}
        data-testid="scrubber"
        onPointerDown={seekFromPointer}
        onKeyDown={seekFromKeys}
      >
        <div className="scrubber-fill" style={{ width: `${fraction * 100}%` }} />
        <div className="scrubber-knob" style={{ left: `${fraction * 100}%` }} />
      </div>
      <div className="player-controls">
        <button className="icon-btn primary" onClick={props.player.toggle} aria-label={state.playing ? 'Pause' : 'Play'} data-testid="play-toggle">
          <Icon name={state.playing ? 'pause' : 'play'} filled />
        </button>
        <button className="icon-btn" onClick={() => props.player.seekTo(state.positionSec - 10)} aria-label="Back 10 seconds">
          <Icon name="back10" />
        </button>
        <button className="icon-btn" onClick={() => props.player.seekTo(state.positionSec + 30)} aria-label="Forward 30 seconds">
          <Icon name="fwd30" />
        </button>
        <span className="time" data-testid="player-time">
          {formatDuration(state.positionSec)} / {formatDuration(state.durationSec)}
        </span>
        <button className="chip-btn" onClick={props.player.cycleSpeed} title="Playback speed of the simulated player">
          {speed}×
        </button>
        {props.handoff && (
          <button className="chip-btn handoff-btn" onClick={props.handoff.onClick} data-testid="handoff" title="Play this video on that device from here, and pause here">
            {props.handoff.label}
          </button>
        )}
      </div>
    </div>
  );
}

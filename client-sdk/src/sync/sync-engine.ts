import type { Change, SyncPayload } from '../protocol/index.js';
import { applyChange } from '../state/apply-op.js';
import { emptyServerState, stateFromSnapshot, type ServerState } from '../state/server-state.js';
import { createTimerSlot, type Timers } from '../util/timers.js';

/** How a change reached the client. */
export type ChangeSource = 'push' | 'ack' | 'sync';

export interface SyncEngineDeps {
  timers: Timers;
  /** How long a gap in versions may stay open before a `sync:since` is asked for. @default 300 */
  gapTimeoutMs: number;
  /** The client must ask the server for what it missed (a gap that did not fill, or another epoch). */
  needSync(): void;
  /**
   * The state moved; `applied` lists the changes in version order. `snapshot` is set when the state was replaced
   * (a snapshot, or the first sync on top of the cached state): the version it was replaced at, which the
   * `applied` changes (buffered meanwhile) follow.
   */
  onState(
    state: ServerState,
    applied: ReadonlyArray<{ change: Change; source: ChangeSource }>,
    snapshot: { version: number } | null,
  ): void;
}

export interface SyncEngine {
  readonly state: ServerState;
  /** What to send as `sync:since`. */
  cursor(): { epoch: string; version: number } | null;
  /** A change from a push, an ack or a sync answer: applied in version order, buffered across gaps. */
  receive(change: Change, source: ChangeSource): void;
  /** The server is at `version` or later (a duplicate's ack): fetch what we lack if it does not arrive in time. */
  expect(version: number): void;
  /** Applies a `sync:since` answer. */
  applySync(payload: SyncPayload): void;
  /** Replaces the state (from the local cache at start, or empty after sign-out). */
  reset(state: ServerState): void;
  dispose(): void;
}

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  let state: ServerState = emptyServerState();
  const buffer = new Map<number, { change: Change; source: ChangeSource }>();
  let expected = 0;
  const gapTimer = createTimerSlot(deps.timers);

  const checkGap = () => {
    let target = expected;
    for (const version of buffer.keys()) target = Math.max(target, version);
    if (target <= state.version) {
      expected = 0;
      gapTimer.clear();
    } else if (!gapTimer.armed && state.epoch !== null) {
      // Out-of-order delivery usually fills itself within milliseconds; only a lasting gap costs a sync.
      gapTimer.set(() => deps.needSync(), deps.gapTimeoutMs);
    }
  };

  const drain = (applied: Array<{ change: Change; source: ChangeSource }>, replaced: boolean) => {
    const snapshot = replaced ? { version: state.version } : null;
    let next = state;
    for (let item = buffer.get(next.version + 1); item; item = buffer.get(next.version + 1)) {
      buffer.delete(item.change.version);
      next = applyChange(next, item.change);
      applied.push(item);
    }
    for (const version of buffer.keys()) if (version <= next.version) buffer.delete(version);
    const moved = next !== state || replaced;
    state = next;
    if (moved) deps.onState(state, applied, snapshot);
    checkGap();
  };

  return {
    get state() {
      return state;
    },
    cursor: () => (state.epoch === null ? null : { epoch: state.epoch, version: state.version }),
    receive(change, source) {
      if (state.epoch !== null && change.epoch !== state.epoch) {
        deps.needSync();
        return;
      }
      if (state.epoch !== null && change.version <= state.version) return;
      buffer.set(change.version, { change, source });
      // Before the first sync the epoch is unknown: keep it for after the sync answer.
      if (state.epoch !== null) drain([], false);
    },
    expect(version) {
      expected = Math.max(expected, version);
      checkGap();
    },
    applySync(payload) {
      gapTimer.clear();
      if (payload.kind === 'snapshot') {
        if (payload.epoch === state.epoch && payload.version < state.version) return;
        state = stateFromSnapshot(payload.epoch, payload.version, payload.state);
        for (const [version, item] of buffer) if (item.change.epoch !== payload.epoch) buffer.delete(version);
        drain([], true);
        return;
      }
      if (state.epoch !== null && payload.epoch !== state.epoch) {
        deps.needSync();
        return;
      }
      const first = state.epoch === null;
      if (first) state = { ...state, epoch: payload.epoch };
      for (const [version, item] of buffer) if (item.change.epoch !== payload.epoch) buffer.delete(version);
      for (const change of payload.changes) {
        const fresh = change.version > state.version && change.epoch === payload.epoch && !buffer.has(change.version);
        if (fresh) buffer.set(change.version, { change, source: 'sync' });
      }
      expected = Math.max(expected, payload.version);
      const applied: Array<{ change: Change; source: ChangeSource }> = [];
      drain(applied, first);
    },
    reset(next) {
      buffer.clear();
      expected = 0;
      gapTimer.clear();
      state = next;
    },
    dispose() {
      gapTimer.clear();
      buffer.clear();
    },
  };
}

import type { Change, SyncPayload, SyncReset } from '../protocol/index.js';
import { applyChanges } from '../state/apply-op.js';
import { emptyServerState, stateFromSnapshot, type ServerState } from '../state/server-state.js';
import { createTimerSlot, type Timers } from '../util/timers.js';
import { createRecentChanges } from './recent-changes.js';

/** How a change reached the client. */
export type ChangeSource = 'push' | 'ack' | 'sync';

/** A snapshot that replaced the state because the server no longer has versions this client had seen. */
export interface StateReset extends SyncReset {
  /** The lost changes this client had applied, as far as it remembers (the last 256 versions). */
  readonly changes: readonly Change[];
}

export interface SyncEngineDeps {
  timers: Timers;
  /** How long a gap in versions may stay open before a `sync:since` is asked for. @default 300 */
  gapTimeoutMs: number;
  /** The client must ask the server for what it missed (a gap that did not fill, another epoch, another history). */
  needSync(): void;
  /**
   * The state moved; `applied` lists the changes in version order. `snapshot` is set when the state was replaced
   * (a snapshot, or the first sync on top of the cached state): the version it was replaced at, which the
   * `applied` changes (buffered meanwhile) follow, and `reset` when the server's history went back.
   */
  onState(
    state: ServerState,
    applied: ReadonlyArray<{ change: Change; source: ChangeSource }>,
    snapshot: { version: number; reset?: StateReset } | null,
  ): void;
}

export interface SyncEngine {
  readonly state: ServerState;
  /** What to send as `sync:since`. */
  cursor(): { epoch: string; version: number } | null;
  /**
   * A `sync:since` is about to be sent: returns its identity for `applySync`. Changes received from now on are
   * kept, so an answer older than them does not undo them.
   */
  beginSync(): number;
  /** A change from a push, an ack or a sync answer: applied in version order, buffered across gaps. */
  receive(change: Change, source: ChangeSource): void;
  /** Several changes (the acks of one push): applied together, with one `onState`. */
  receiveAll(changes: readonly Change[], source: ChangeSource): void;
  /** The server is at `version` or later (a duplicate's ack): fetch what we lack if it does not arrive in time. */
  expect(version: number): void;
  /**
   * Applies a `sync:since` answer. The answer to the latest request is the server's word and is applied, a
   * snapshot even at a lower version of the same epoch (the store went back in time); the answer to an
   * earlier request is ignored. Without `request`, the answer is taken as the latest's.
   */
  applySync(payload: SyncPayload, request?: number): void;
  /** Replaces the state (from the local cache at start, or empty after sign-out). */
  reset(state: ServerState): void;
  dispose(): void;
}

/** Most changes kept while a sync request is out (beyond, gap detection fetches what an old answer undid). */
const DURING_SYNC_CAP = 1000;

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  let state: ServerState = emptyServerState();
  const buffer = new Map<number, { change: Change; source: ChangeSource }>();
  const recent = createRecentChanges();
  let expected = 0;
  let latestRequest = 0;
  // Changes received while a sync request is out (null when none is).
  let duringSync: Array<{ change: Change; source: ChangeSource }> | null = null;
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

  const drain = (applied: Array<{ change: Change; source: ChangeSource }>, replaced: { version: number; reset?: StateReset } | null) => {
    const run: Change[] = [];
    let version = state.version;
    for (let item = buffer.get(version + 1); item; item = buffer.get(version + 1)) {
      buffer.delete(item.change.version);
      version = item.change.version;
      run.push(item.change);
      recent.add(item.change);
      applied.push(item);
    }
    const next = applyChanges(state, run);
    if (buffer.size > 0) for (const version of buffer.keys()) if (version <= next.version) buffer.delete(version);
    const moved = next !== state || replaced !== null;
    state = next;
    if (moved) deps.onState(state, applied, replaced);
    checkGap();
  };

  /** Buffers a received change; false when it is not to be applied (another epoch, or already applied). */
  const keep = (change: Change, source: ChangeSource): boolean => {
    if (duringSync && duringSync.length < DURING_SYNC_CAP) duringSync.push({ change, source });
    if (state.epoch !== null && change.epoch !== state.epoch) {
      deps.needSync();
      return false;
    }
    if (state.epoch !== null && change.version <= state.version) {
      // Not the change we applied at this version: the server's history is another one than ours.
      if (recent.contradicts(change)) deps.needSync();
      return false;
    }
    // Before the first sync the epoch is unknown: kept for after the sync answer.
    buffer.set(change.version, { change, source });
    return true;
  };

  const applySnapshot = (payload: Extract<SyncPayload, { kind: 'snapshot' }>) => {
    const reset: StateReset | undefined = payload.reset && {
      ...payload.reset,
      changes: payload.reset.epoch === state.epoch ? recent.between(payload.reset.fromVersion, payload.reset.toVersion) : [],
    };
    state = stateFromSnapshot(payload.epoch, payload.version, payload.state);
    recent.clear();
    for (const [version, item] of buffer) if (item.change.epoch !== payload.epoch) buffer.delete(version);
    // Changes that arrived while the request was out and are newer than the answer still hold.
    for (const item of duringSync ?? []) {
      if (item.change.epoch === payload.epoch && item.change.version > payload.version) buffer.set(item.change.version, item);
    }
    drain([], reset ? { version: payload.version, reset } : { version: payload.version });
  };

  return {
    get state() {
      return state;
    },
    cursor: () => (state.epoch === null ? null : { epoch: state.epoch, version: state.version }),
    beginSync() {
      duringSync = [];
      return ++latestRequest;
    },
    receive(change, source) {
      if (keep(change, source) && state.epoch !== null) drain([], null);
    },
    receiveAll(changes, source) {
      let kept = false;
      for (const change of changes) kept = keep(change, source) || kept;
      if (kept && state.epoch !== null) drain([], null);
    },
    expect(version) {
      expected = Math.max(expected, version);
      checkGap();
    },
    applySync(payload, request) {
      if (request !== undefined && request !== latestRequest) return;
      gapTimer.clear();
      if (payload.kind === 'snapshot') {
        applySnapshot(payload);
        duringSync = null;
        return;
      }
      duringSync = null;
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
      // A page (`more`) stops short of `version` on purpose: the next page is asked for at once, not as a gap.
      if (!payload.more) expected = Math.max(expected, payload.version);
      const applied: Array<{ change: Change; source: ChangeSource }> = [];
      drain(applied, first ? { version: state.version } : null);
    },
    reset(next) {
      buffer.clear();
      recent.clear();
      duringSync = null;
      expected = 0;
      gapTimer.clear();
      state = next;
    },
    dispose() {
      gapTimer.clear();
      buffer.clear();
      recent.clear();
      duringSync = null;
    },
  };
}

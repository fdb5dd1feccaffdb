import { isBackendDevice, type Change, type MutationResult, type WatchRules, type WireError } from '../protocol/index.js';
import { SyncClientError } from '../errors.js';
import { createOutbox, type Outbox, type OutboxEntry } from '../outbox.js';
import type { MutationBody } from '../state/mutation-body.js';
import { emptyServerState, type ServerState } from '../state/server-state.js';
import type { KeyValueStore } from '../storage/types.js';
import { changesLostEvent } from '../sync/changes-lost.js';
import type { ClockOffset } from '../sync/clock-offset.js';
import { createSyncEngine, type ChangeSource, type StateReset, type SyncEngine } from '../sync/sync-engine.js';
import type { ChangesLostEvent, MutationAck, SyncChangeEvent } from '../types.js';
import { createListeners } from '../util/listeners.js';
import type { Timers } from '../util/timers.js';
import type { WatchReport } from '../watch/watch-throttle.js';
import { createDevicesStore, type DevicesStore } from './devices-store.js';
import { checkMutation, refusedByRules } from './domain-apis.js';
import { resetError, type ResetReason } from './reset-reason.js';
import { createStateCache } from './state-cache.js';
import { createViewStore, type ViewStore } from './view-store.js';
import { createWaiters } from './waiters.js';

export interface ClientStateDeps {
  store: KeyValueStore;
  timers: Timers;
  clock: ClockOffset;
  /** How long a gap in versions may stay open before a sync is asked for. */
  gapTimeoutMs: number;
  /** This device's id (null until a generated one is read from storage). */
  deviceId(): string | null;
  /** The node of the current connection, for change events. */
  nodeId(): string | null;
  /** The server's resume rules (DEFAULT_WATCH_RULES until a sync brings them), for predictions. */
  watchRules(): WatchRules;
  /** The synced state has a gap or another history: ask the server. */
  needSync(): void;
  /** Watch reports the throttle holds back (shown as pending, not yet queued). */
  drafts(): readonly WatchReport[];
  /** Drops the held watch reports, rejecting their promises with `error`. */
  discardDrafts(error: SyncClientError): void;
  onError(error: SyncClientError): void;
}

/**
 * The client's state and the transitions that change it: what happens on an ack, a refusal, a synced change,
 * an owner change and a reset. No sockets, no timers of its own: the client's wiring calls these.
 */
export interface ClientState {
  /** The pending mutations (the sender sends from it). */
  readonly outbox: Outbox;
  /** The server state and its versions (the session feeds it). */
  readonly engine: SyncEngine;
  readonly devices: DevicesStore;
  readonly views: ViewStore;
  /** Reads the stored outbox and the cached state (once, at start). */
  restore(): Promise<void>;
  /** Queues a mutation the protocol and the rules accept on the state shown; rejects at once otherwise. */
  submit(body: MutationBody): Promise<MutationAck>;
  /** The server committed these queued mutations (a push's answer, in order), now or earlier (duplicates): applied at once. */
  acked(entries: readonly OutboxEntry[], results: readonly MutationResult[]): void;
  /** The server refused a queued mutation for good: it is dropped and its local effect rolled back. */
  rejected(entry: OutboxEntry, error: WireError): void;
  /** The server refused a queued mutation for now (it stays queued and is resent): reported, not thrown. */
  retrying(entry: OutboxEntry, error: WireError): void;
  /** The token names `owner`; another user's local data is reset first. */
  ownerIs(owner: string): void;
  /** Drops the local data; pending changes are rejected with the reason's error. */
  reset(reason: ResetReason): Promise<void>;
  /** Re-derives the views and the pending count (the held watch reports changed). */
  refresh(): void;
  /** The client closed: nothing more is applied and every waiting promise rejects with `error`. */
  close(error: SyncClientError): void;
  /** Resolves when the outbox and the cached state are written. */
  flush(): Promise<void>;
  onChange(listener: (event: SyncChangeEvent) => void): () => void;
  onChangesLost(listener: (event: ChangesLostEvent) => void): () => void;
  onPendingCount(listener: (count: number) => void): () => void;
}

export function createClientState(deps: ClientStateDeps): ClientState {
  const { store, timers, clock } = deps;
  const myId = () => deps.deviceId() ?? '';
  const storageError = (cause: unknown) => deps.onError(new SyncClientError('internal', 'storage failed', { cause }));
  const changes = createListeners<SyncChangeEvent>();
  const losses = createListeners<ChangesLostEvent>();
  const pendingListeners = createListeners<number>();
  const views = createViewStore(myId, deps.watchRules);
  const devices = createDevicesStore();
  const waiters = createWaiters();
  // Seqs seeded from the clock stay above what the server remembers even if this device's storage was lost.
  const outbox = createOutbox({ store, key: () => `outbox:${myId()}`, seqFloor: () => timers.now() * 10, onStorageError: storageError });
  const cache = createStateCache(store, () => `state:${myId()}`, storageError, timers);

  // The epoch acknowledged entries were committed in: a snapshot of another one makes their versions meaningless.
  let seenEpoch: string | null = null;
  // Memos, so the views get the same draft bodies while the drafts stay the same, and a count is emitted once.
  let draftBodies: { from: readonly WatchReport[]; bodies: readonly MutationBody[] } = { from: [], bodies: [] };
  let lastPending = 0;
  // While an ack or a synced change is being applied, the outbox's own change events do not refresh the views:
  // the transition refreshes once, when its state is complete (a push of 100 acks is one refresh, not 300).
  let applying = 0;

  const refresh = () => {
    const drafts = deps.drafts();
    if (draftBodies.from !== drafts) draftBodies = { from: drafts, bodies: drafts.map((request) => ({ event: 'watch:report', request })) };
    views.update(engine.state, [...outbox.entries().map((e) => e.body), ...draftBodies.bodies]);
    if (outbox.pendingCount !== lastPending) {
      lastPending = outbox.pendingCount;
      pendingListeners.emit(lastPending);
    }
  };

  /** The synced state moved: settle what it confirms, show it, keep it, and tell the app. */
  const applied = (
    state: ServerState,
    list: ReadonlyArray<{ change: Change; source: ChangeSource }>,
    snapshot: { version: number; reset?: StateReset } | null,
  ) => {
    applying++;
    try {
      settle(state, list, snapshot);
    } finally {
      applying--;
    }
    refresh();
    cache.save(state, outbox.owner);
    const deviceId = deps.deviceId();
    const nodeId = deps.nodeId();
    // The snapshot's own version: the changes buffered meanwhile follow it, each reported once, in order.
    if (snapshot && state.epoch !== null) changes.emit({ type: 'snapshot', epoch: state.epoch, version: snapshot.version, nodeId });
    for (const { change, source } of list) changes.emit({ type: 'change', change, source, nodeId, own: change.deviceId === deviceId, backend: isBackendDevice(change.deviceId) });
    if (snapshot?.reset) losses.emit(changesLostEvent(snapshot.reset, deviceId));
  };

  /** What the synced state confirms: our own changes whose answers were lost, and acknowledged entries it includes. */
  const settle = (
    state: ServerState,
    list: ReadonlyArray<{ change: Change; source: ChangeSource }>,
    snapshot: { version: number; reset?: StateReset } | null,
  ) => {
    if (snapshot && (state.epoch !== seenEpoch || snapshot.reset)) outbox.dropAcknowledged();
    seenEpoch = state.epoch;
    const deviceId = deps.deviceId();
    for (const { change } of list) {
      if (change.deviceId !== deviceId) continue;
      // Our own change in the log: its answer was lost (node crash), but it is committed.
      const entry = outbox.settleSeq(change.seq, change.version);
      if (entry) waiters.resolve(entry, { version: change.version, seq: change.seq, duplicate: false });
    }
    outbox.confirm(state.version);
  };

  const engine = createSyncEngine({ timers, gapTimeoutMs: deps.gapTimeoutMs, needSync: deps.needSync, onState: applied });

  const reset = async (reason: ResetReason) => {
    const error = resetError(reason);
    deps.discardDrafts(error);
    for (const entry of outbox.clear()) waiters.reject(entry, error);
    engine.reset(emptyServerState());
    seenEpoch = null;
    devices.set([]);
    refresh();
    await cache.clear();
  };

  outbox.onChange(() => {
    if (applying === 0) refresh();
  });

  return {
    outbox,
    engine,
    devices,
    views,
    async restore() {
      const [loaded, cached] = await Promise.all([outbox.load(), cache.load()]);
      if (cached && engine.state.epoch === null) {
        engine.reset(cached.state);
        seenEpoch = cached.state.epoch;
      }
      if (loaded.dropped > 0) deps.onError(new SyncClientError('internal', `dropped ${loaded.dropped} unreadable stored mutation(s)`));
      refresh();
    },
    submit(body) {
      // Before any state is known (nothing synced or cached) the server alone can judge the rules.
      const known = engine.state.epoch !== null;
      const invalid = checkMutation(body) ?? (known ? refusedByRules(views.predicted(), body, myId(), deps.watchRules()) : null);
      if (invalid) return Promise.reject(invalid);
      return waiters.create(outbox.add(body));
    },
    acked(entries, results) {
      // One outbox write, one state update and one cache save for the whole answer, not one per mutation.
      const count = Math.min(entries.length, results.length);
      const acks: Array<{ entry: OutboxEntry; version: number }> = [];
      const committed: Change[] = [];
      for (let i = 0; i < count; i++) {
        const result = results[i] as MutationResult;
        acks.push({ entry: entries[i] as OutboxEntry, version: result.version });
        if (result.change) {
          clock.observe(result.change.at, timers.now());
          committed.push(result.change);
        } else engine.expect(result.version);
      }
      applying++;
      try {
        outbox.acknowledge(acks);
        acks.forEach(({ entry, version }, i) => waiters.resolve(entry, { version, seq: entry.seq ?? 0, duplicate: results[i]?.duplicate ?? false }));
        engine.receiveAll(committed, 'ack');
        outbox.confirm(engine.state.version);
      } finally {
        applying--;
      }
      refresh();
    },
    rejected(entry, error) {
      const failure = new SyncClientError(error.code, error.message, { mutation: outbox.toMutation(entry) });
      outbox.remove(entry);
      waiters.reject(entry, failure);
      deps.onError(failure);
    },
    retrying(entry, error) {
      deps.onError(new SyncClientError(error.code, error.message, { mutation: outbox.toMutation(entry) }));
    },
    ownerIs(owner) {
      if (outbox.owner !== null && outbox.owner !== owner) void reset({ kind: 'owner_changed', owner });
      outbox.setOwner(owner);
    },
    reset,
    refresh,
    close(error) {
      engine.dispose();
      waiters.rejectAll(error);
    },
    flush: async () => {
      await Promise.all([outbox.flush(), cache.flush()]);
    },
    onChange: (listener) => changes.add(listener),
    onChangesLost: (listener) => losses.add(listener),
    onPendingCount: (listener) => pendingListeners.add(listener),
  };
}

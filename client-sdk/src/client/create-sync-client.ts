import { io } from 'socket.io-client';
import { DeviceId } from '../protocol/index.js';
import { DEFAULT_BACKOFF } from '../backoff.js';
import { createConnectionManager } from '../connection/connection-manager.js';
import { request } from '../connection/request.js';
import type { SocketFactory } from '../connection/socket.js';
import { createConnectionStateMachine, type ConnectionState } from '../connection/state.js';
import { SyncClientError } from '../errors.js';
import { createOutbox } from '../outbox.js';
import type { MutationBody } from '../state/mutation-body.js';
import { emptyServerState } from '../state/server-state.js';
import { createKeyValueStore } from '../storage/key-value-store.js';
import { memoryStorage } from '../storage/memory-storage.js';
import { changesLostEvent } from '../sync/changes-lost.js';
import { createClockOffset } from '../sync/clock-offset.js';
import { createSyncEngine } from '../sync/sync-engine.js';
import { decodeTokenClaims } from '../token/jwt.js';
import { createTokenManager } from '../token/token-manager.js';
import type { ChangesLostEvent, MutationAck, SyncChangeEvent, SyncClient, SyncClientOptions } from '../types.js';
import { createListeners } from '../util/listeners.js';
import { randomId } from '../util/random-id.js';
import { systemTimers } from '../util/timers.js';
import { createWatchThrottle, type WatchReport } from '../watch/watch-throttle.js';
import { checkMutation, createCartApi, createWatchApi, refusedByRules } from './domain-apis.js';
import { createDevicesStore } from './devices-store.js';
import { createSender } from './sender.js';
import { createSession } from './session.js';
import { createStateCache } from './state-cache.js';
import { createViewStore } from './view-store.js';
import { createWaiters } from './waiters.js';

function resolveUrls(options: SyncClientOptions): readonly string[] {
  const urls = options.urls ?? (options.url === undefined ? [] : [options.url]);
  if (urls.length === 0 || urls.some((u) => typeof u !== 'string' || u.length === 0)) {
    throw new TypeError('createSyncClient: give `url` or a non-empty `urls` list');
  }
  return urls;
}

/** Creates a client that keeps this user's cart, watch progress and devices in sync. */
export function createSyncClient(options: SyncClientOptions): SyncClient {
  const urls = resolveUrls(options);
  if (typeof options.getToken !== 'function') throw new TypeError('createSyncClient: `getToken` must be a function');
  if (options.deviceId !== undefined && !DeviceId.safeParse(options.deviceId).success) {
    throw new TypeError('createSyncClient: `deviceId` must be 1-64 characters of [A-Za-z0-9_-]');
  }
  const timers = options.timers ?? systemTimers();
  const random = options.random ?? Math.random;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const store = createKeyValueStore(options.storage ?? memoryStorage(), options.storagePrefix ?? 'tandem:');
  let deviceId: string | null = options.deviceId ?? null;
  const myId = () => deviceId ?? '';

  const errors = createListeners<SyncClientError>();
  const changes = createListeners<SyncChangeEvent>();
  const losses = createListeners<ChangesLostEvent>();
  const pendingListeners = createListeners<number>();
  const reportError = (error: SyncClientError) => errors.emit(error);
  const storageError = (cause: unknown) => reportError(new SyncClientError('internal', 'storage failed', { cause }));
  const closedError = () => new SyncClientError('closed', 'the client is closed');

  const clock = createClockOffset();
  const machine = createConnectionStateMachine(
    options.connect === false
      ? { status: 'offline', reason: 'manual', attempt: 0, retryAt: null }
      : { status: 'connecting', url: urls[0] as string, attempt: 0 },
  );
  const isClosed = () => machine.state.status === 'closed';
  const views = createViewStore(myId);
  const devices = createDevicesStore();
  const waiters = createWaiters();
  // Seqs seeded from the clock stay above what the server remembers even if this device's storage was lost.
  const outbox = createOutbox({ store, key: () => `outbox:${myId()}`, seqFloor: () => timers.now() * 10, onStorageError: storageError });
  const cache = createStateCache(store, () => `state:${myId()}`, storageError);

  let draftBodies: { from: readonly WatchReport[]; bodies: readonly MutationBody[] } = { from: [], bodies: [] };
  let lastPending = 0;
  const refresh = () => {
    const drafts = throttle.drafts();
    if (draftBodies.from !== drafts) draftBodies = { from: drafts, bodies: drafts.map((request) => ({ event: 'watch:report', request })) };
    views.update(engine.state, [...outbox.entries().map((e) => e.body), ...draftBodies.bodies]);
    if (outbox.pendingCount !== lastPending) {
      lastPending = outbox.pendingCount;
      pendingListeners.emit(lastPending);
    }
  };

  let lastEpoch: string | null = null;
  const engine = createSyncEngine({
    timers,
    gapTimeoutMs: options.gapTimeoutMs ?? 300,
    needSync: () => session.resync(),
    onState(state, applied, snapshot) {
      if (snapshot && (state.epoch !== lastEpoch || snapshot.reset)) outbox.dropAcknowledged();
      lastEpoch = state.epoch;
      for (const { change } of applied) {
        if (change.deviceId !== deviceId) continue;
        // Our own change in the log: its answer was lost (node crash), but it is committed.
        const entry = outbox.settleSeq(change.seq, change.version);
        if (entry) waiters.resolve(entry, { version: change.version, duplicate: false });
      }
      outbox.confirm(state.version);
      refresh();
      cache.save(state, outbox.owner);
      const nodeId = session.nodeId;
      // The snapshot's own version: the changes buffered meanwhile follow it, each reported once, in order.
      if (snapshot && state.epoch !== null) changes.emit({ type: 'snapshot', epoch: state.epoch, version: snapshot.version, nodeId });
      for (const { change, source } of applied) changes.emit({ type: 'change', change, source, nodeId, own: change.deviceId === deviceId });
      if (snapshot?.reset) losses.emit(changesLostEvent(snapshot.reset, deviceId));
    },
  });

  const sender = createSender({
    outbox,
    timers,
    random,
    backoff,
    requestTimeoutMs,
    onAcked(entry, result) {
      if (entry.ackedVersion === null) outbox.acknowledge(entry, result.version);
      waiters.resolve(entry, { version: result.version, duplicate: result.duplicate });
      if (result.change) {
        clock.observe(result.change.at, timers.now());
        engine.receive(result.change, 'ack');
      }
      else engine.expect(result.version);
      outbox.confirm(engine.state.version);
    },
    onRejected(entry, error) {
      const failure = new SyncClientError(error.code, error.message, { mutation: outbox.toMutation(entry) });
      outbox.remove(entry);
      waiters.reject(entry, failure);
      reportError(failure);
    },
    onRetry: (entry, error) => reportError(new SyncClientError(error.code, error.message, { mutation: outbox.toMutation(entry) })),
    reconnect(detail) {
      reportError(new SyncClientError('unavailable', detail));
      manager.reconnect();
    },
    refreshToken: () => manager.refreshToken(),
  });

  const session = createSession({ engine, sender, clock, timers, requestTimeoutMs, onDevices: devices.merge, onError: reportError });

  let readyResolve: () => void = () => {};
  let readyReject: (error: SyncClientError) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  ready.catch(() => {});

  const tokens = createTokenManager({
    timers,
    toServerTime: clock.toServerTime,
    async getToken() {
      const token = await options.getToken();
      const subject = typeof token === 'string' ? decodeTokenClaims(token).subject : null;
      if (subject !== null) adoptOwner(subject);
      return token;
    },
  });

  /** Local data written under another user's token must never reach this user's account. */
  const adoptOwner = (subject: string) => {
    if (outbox.owner !== null && outbox.owner !== subject) {
      for (const entry of outbox.clear()) waiters.reject(entry, new SyncClientError('forbidden', 'made by another user'));
      engine.reset(emptyServerState());
      lastEpoch = null;
      devices.set([]);
      void cache.clear();
      refresh();
    }
    outbox.setOwner(subject);
  };

  const manager = createConnectionManager({
    urls,
    io: options.io ?? (io as unknown as SocketFactory),
    handshake: () => ({
      deviceId: myId(),
      ...(options.deviceName === undefined ? {} : { deviceName: options.deviceName }),
      ...(options.deviceKind === undefined ? {} : { deviceKind: options.deviceKind }),
    }),
    tokens,
    machine,
    timers,
    random,
    backoff,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    requestTimeoutMs,
    session,
    onError: reportError,
    onUnauthorized(error) {
      readyReject(error);
      reportError(error);
    },
  });

  machine.onStatus((state) => {
    if (state.status === 'connected') readyResolve();
  });
  outbox.onChange(() => {
    refresh();
    sender.kick();
  });

  const mutate = (body: MutationBody): Promise<MutationAck> => {
    if (isClosed()) return Promise.reject(closedError());
    const invalid = checkMutation(body) ?? (engine.state.epoch === null ? null : refusedByRules(views.predicted(), body, myId()));
    if (invalid) return Promise.reject(invalid);
    return waiters.create(outbox.add(body));
  };

  const throttle = createWatchThrottle<MutationAck>({
    intervalMs: options.watchReportIntervalMs ?? 5000,
    timers,
    send: (report) => mutate({ event: 'watch:report', request: report }),
    onDraftsChanged: () => refresh(),
  });

  const init = (async () => {
    if (deviceId === null) {
      const stored = await store.get('device-id').catch((error: unknown) => (storageError(error), null));
      if (stored !== null && DeviceId.safeParse(stored).success) deviceId = stored;
      else {
        deviceId = randomId(16, random);
        await store.set('device-id', deviceId).catch(storageError);
      }
    }
    const [loaded, cached] = await Promise.all([outbox.load(), cache.load()]);
    if (cached && engine.state.epoch === null) {
      engine.reset(cached.state);
      lastEpoch = cached.state.epoch;
    }
    if (loaded.dropped > 0) reportError(new SyncClientError('internal', `dropped ${loaded.dropped} unreadable stored mutation(s)`));
    refresh();
  })();
  void init.then(() => manager.start());

  const client: SyncClient = {
    cart: createCartApi(mutate, views),
    watch: createWatchApi({ views, throttle, clock, timers, refusal: () => (isClosed() ? closedError() : null) }),
    devices: { list: devices.list, subscribe: devices.subscribe },
    get status() {
      return machine.state.status;
    },
    get connection(): ConnectionState {
      return machine.state;
    },
    onStatus: (listener) => machine.onStatus((state) => listener(state.status)),
    onError: (listener) => errors.add(listener),
    onChange: (listener) => changes.add(listener),
    onChangesLost: (listener) => losses.add(listener),
    get deviceId() {
      return deviceId;
    },
    get nodeId() {
      return machine.state.status === 'connected' ? machine.state.nodeId : null;
    },
    get pendingCount() {
      return outbox.pendingCount;
    },
    onPendingCount: (listener) => pendingListeners.add(listener),
    get version() {
      return engine.state.version;
    },
    get epoch() {
      return engine.state.epoch;
    },
    get clockOffsetMs() {
      return clock.offsetMs;
    },
    ready,
    goOffline: () => manager.goOffline(),
    goOnline: () => void init.then(() => manager.goOnline()),
    async signOut({ everywhere = false } = {}) {
      const socket = manager.socket;
      if (!socket) throw new SyncClientError('unavailable', 'signing out needs a connection');
      const answer = await request(socket, 'auth:sign-out', { scope: everywhere ? 'everywhere' : 'device' }, requestTimeoutMs);
      const revoked = answer.kind === 'ok' || (answer.kind === 'lost' && machine.state.status === 'unauthorized');
      if (!revoked) {
        throw answer.kind === 'error'
          ? new SyncClientError(answer.error.code, answer.error.message)
          : new SyncClientError('unavailable', 'sign-out got no answer');
      }
      const signedOut = new SyncClientError('unauthorized', 'signed out');
      throttle.discard(signedOut);
      for (const entry of outbox.clear()) waiters.reject(entry, signedOut);
      engine.reset(emptyServerState());
      devices.set([]);
      refresh();
      await cache.clear();
      await client.close();
    },
    async close() {
      if (!isClosed()) {
        throttle.flushAll();
        manager.close();
        sender.stop();
        engine.dispose();
        waiters.rejectAll(closedError());
        readyReject(closedError());
      }
      await init.catch(() => {});
      await Promise.all([outbox.flush(), cache.flush()]);
    },
  };
  return client;
}

import { io } from 'socket.io-client';
import { DeviceId } from '../protocol/index.js';
import { DEFAULT_BACKOFF } from '../backoff.js';
import { createAppLifecycle } from '../connection/app-lifecycle.js';
import { createConnectionManager } from '../connection/connection-manager.js';
import { reconnectsOnWake } from '../connection/reconnect-policy.js';
import { request } from '../connection/request.js';
import type { SocketFactory } from '../connection/socket.js';
import { createConnectionStateMachine, type ConnectionState } from '../connection/state.js';
import { SyncClientError } from '../errors.js';
import type { MutationBody } from '../state/mutation-body.js';
import { createKeyValueStore } from '../storage/key-value-store.js';
import { memoryStorage } from '../storage/memory-storage.js';
import { createClockOffset } from '../sync/clock-offset.js';
import { decodeTokenClaims } from '../token/jwt.js';
import { createTokenManager } from '../token/token-manager.js';
import type { MutationAck, SyncClient, SyncClientOptions, TabRole } from '../types.js';
import { createListeners } from '../util/listeners.js';
import { randomId } from '../util/random-id.js';
import { systemTimers } from '../util/timers.js';
import { createWatchThrottle } from '../watch/watch-throttle.js';
import { createClientState } from './client-state.js';
import { createCartApi, createWatchApi } from './domain-apis.js';
import { createSender } from './sender.js';
import { createPlayback } from './playback-api.js';
import { createSession } from './session.js';
import { createTabClient, type ConnectedClient } from '../tabs/create-tab-client.js';
import { tabPlatform } from '../tabs/platform.js';

function resolveUrls(options: SyncClientOptions): readonly string[] {
  const urls = options.urls ?? (options.url === undefined ? [] : [options.url]);
  if (urls.length === 0 || urls.some((u) => typeof u !== 'string' || u.length === 0)) {
    throw new TypeError('createSyncClient: give `url` or a non-empty `urls` list');
  }
  return urls;
}

/** Creates a client that keeps this user's cart, watch progress and devices in sync. */
export function createSyncClient(options: SyncClientOptions): SyncClient {
  const platform = options.tabs === false ? null : tabPlatform();
  if (platform) {
    checkOptions(options);
    return createTabClient(options, platform, createConnectedClient);
  }
  return createConnectedClient(options).client;
}

function checkOptions(options: SyncClientOptions): void {
  resolveUrls(options);
  if (typeof options.getToken !== 'function') throw new TypeError('createSyncClient: `getToken` must be a function');
  if (options.deviceId !== undefined && !DeviceId.safeParse(options.deviceId).success) {
    throw new TypeError('createSyncClient: `deviceId` must be 1-64 characters of [A-Za-z0-9_-]');
  }
}

/** A client with its own connection, and its outbox (a leader tab reports on it to the other tabs). */
export function createConnectedClient(options: SyncClientOptions, tabRole: TabRole = 'alone'): ConnectedClient {
  checkOptions(options);
  const urls = resolveUrls(options);
  const timers = options.timers ?? systemTimers();
  const random = options.random ?? Math.random;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const store = createKeyValueStore(options.storage ?? memoryStorage(), options.storagePrefix ?? 'tandem:');
  let deviceId: string | null = options.deviceId ?? null;
  const myId = () => deviceId ?? '';

  const errors = createListeners<SyncClientError>();
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
  const state = createClientState({
    store,
    timers,
    clock,
    gapTimeoutMs: options.gapTimeoutMs ?? 300,
    deviceId: () => deviceId,
    nodeId: () => session.nodeId,
    watchRules: () => session.watchRules,
    needSync: () => session.resync(),
    drafts: () => throttle.drafts(),
    discardDrafts: (error) => throttle.discard(error),
    onError: reportError,
  });
  const { outbox, engine, views, devices } = state;

  const sender = createSender({
    outbox,
    timers,
    random,
    backoff,
    requestTimeoutMs,
    onAcked: state.acked,
    onRejected: state.rejected,
    onRetry: state.retrying,
    reconnect(detail) {
      reportError(new SyncClientError('unavailable', detail));
      manager.reconnect();
    },
    refreshToken: () => manager.refreshToken(),
  });

  const playback = createPlayback({
    socket: () => manager.socket,
    requestTimeoutMs,
    refusal: () => (isClosed() ? closedError() : null),
    onError: reportError,
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
      if (subject !== null) state.ownerIs(subject);
      return token;
    },
  });

  const lifecycle = createAppLifecycle(options.appState);
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
    foreground: lifecycle.foreground,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    requestTimeoutMs,
    session: { attach: (socket) => (session.attach(socket), playback.attach(socket)), open: session.open, closed: session.closed },
    onError: reportError,
    onUnauthorized(error, cause) {
      // The backend erased the user: nothing local may outlive it, unsent changes included.
      if (cause === 'erased') void state.reset({ kind: 'erased' });
      readyReject(error);
      reportError(error);
    },
  });

  machine.onStatus((connection) => {
    if (connection.status === 'connected') readyResolve();
  });
  outbox.onChange(() => sender.kick());
  // The network or the user is back: a node that is up again must not wait for the rest of a backoff.
  lifecycle.onWake(() => {
    if (reconnectsOnWake(machine.state)) void init.then(() => manager.goOnline());
  });

  const mutate = (body: MutationBody): Promise<MutationAck> => (isClosed() ? Promise.reject(closedError()) : state.submit(body));

  const throttle = createWatchThrottle<MutationAck>({
    intervalMs: options.watchReportIntervalMs ?? 5000,
    timers,
    send: (report) => mutate({ event: 'watch:report', request: report }),
    onDraftsChanged: () => state.refresh(),
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
    await state.restore();
  })();
  void init.then(() => manager.start());

  const client: SyncClient = {
    cart: createCartApi(mutate, views, () => ({ freeze: engine.state.frozen, serverNow: clock.toServerTime(timers.now()) })),
    watch: createWatchApi({ views, mutate, throttle, clock, timers, refusal: () => (isClosed() ? closedError() : null) }),
    devices: {
      list: devices.list,
      subscribe: devices.subscribe,
      async signOut(otherDeviceId) {
        // Another device of this user (the TV, from the laptop): its sessions end on every node; this one stays.
        const socket = manager.socket;
        if (!socket) throw new SyncClientError('unavailable', 'signing a device out needs a connection');
        const answer = await request(socket, 'auth:sign-out', { scope: 'device', deviceId: otherDeviceId }, requestTimeoutMs);
        if (answer.kind === 'error') throw new SyncClientError(answer.error.code, answer.error.message);
        if (answer.kind !== 'ok') throw new SyncClientError('unavailable', 'sign-out got no answer');
      },
    },
    playback: playback.api,
    get status() {
      return machine.state.status;
    },
    get connection(): ConnectionState {
      return machine.state;
    },
    onStatus: (listener) => machine.onStatus((state) => listener(state.status)),
    onError: (listener) => errors.add(listener),
    onChange: state.onChange,
    onChangesLost: state.onChangesLost,
    get deviceId() {
      return deviceId;
    },
    tabRole,
    get nodeId() {
      return machine.state.status === 'connected' ? machine.state.nodeId : null;
    },
    get pendingCount() {
      return outbox.pendingCount;
    },
    onPendingCount: state.onPendingCount,
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
    reconnectNow: () =>
      void init.then(() => {
        const state = machine.state;
        if (state.status === 'offline' && state.reason !== 'manual') manager.goOnline();
      }),
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
      await state.reset({ kind: 'signed_out' });
      await client.close();
    },
    async close() {
      if (!isClosed()) {
        throttle.flushAll();
        lifecycle.close();
        manager.close();
        sender.stop();
        state.close(closedError());
        readyReject(closedError());
      }
      await init.catch(() => {});
      await state.flush();
    },
  };
  return { client, outbox, restored: init };
}

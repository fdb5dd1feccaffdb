import { freezeHolds } from '../protocol/index.js';
import type { ConnectionState } from '../connection/state.js';
import { SyncClientError } from '../errors.js';
import type { ChangesLostEvent, HandoffEvent, MutationAck, SyncChangeEvent, SyncClient, TabRole } from '../types.js';
import { createListeners } from '../util/listeners.js';
import type { FromLeader, TabCallMethod, ToLeader } from './messages.js';
import { createMirroredState } from './mirrored-state.js';

export interface TabProxyDeps {
  tabId: string;
  /** To the leader (over the channel, or straight to this tab's own host). */
  post(message: ToLeader): void;
  role(): TabRole;
  initial: ConnectionState;
  /** The app closed this client: leave the election, or stop leading. */
  close(): Promise<void>;
}

export interface TabProxy {
  readonly client: SyncClient;
  receive(message: FromLeader): void;
  /** The channel is open: ask for the state. */
  hello(): void;
  /** This tab saw the network or the page come back: the leader may end its wait for a retry. */
  wake(): void;
}

interface PendingCall {
  readonly method: TabCallMethod;
  readonly args: readonly unknown[];
  /** The stored mutation the call became, once a leader said so. */
  seq: number | null;
  resolve(value: MutationAck | undefined): void;
  reject(error: SyncClientError): void;
}

/**
 * The client every tab's app holds. It shows the leader's state and sends its calls to the leader; calls wait
 * while no leader is known and are taken up by the next one: a call already stored in the outbox is followed
 * by its seq (never sent twice), any other call is sent again.
 */
export function createTabProxy(deps: TabProxyDeps): TabProxy {
  const mirror = createMirroredState(deps.initial);
  const errors = createListeners<SyncClientError>();
  const changes = createListeners<SyncChangeEvent>();
  const losses = createListeners<ChangesLostEvent>();
  const handoffs = createListeners<HandoffEvent>();
  const calls = new Map<string, PendingCall>();
  const retired = new Set<string>();
  let host: string | null = null;
  let counter = 0;
  let closed = false;
  const closedError = () => new SyncClientError('closed', 'the client is closed');

  let readyResolve: () => void = () => {};
  let readyReject: (error: SyncClientError) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  ready.catch(() => {});
  mirror.onConnection((connection) => {
    if (connection.status === 'connected') readyResolve();
    if (connection.status === 'unauthorized') readyReject(connection.error);
  });

  const send = (id: string, call: PendingCall) => {
    deps.post(call.seq === null ? { t: 'call', tab: deps.tabId, id, method: call.method, args: [...call.args] } : { t: 'follow', tab: deps.tabId, id, seq: call.seq });
  };

  const call = (method: TabCallMethod, args: readonly unknown[]): Promise<MutationAck | undefined> => {
    if (closed) return Promise.reject(closedError());
    const id = `${deps.tabId}-${++counter}`;
    return new Promise((resolve, reject) => {
      const pending: PendingCall = { method, args, seq: null, resolve, reject };
      calls.set(id, pending);
      if (host !== null) send(id, pending);
    });
  };
  const mutation = (method: TabCallMethod, args: readonly unknown[]) => call(method, args) as Promise<MutationAck>;
  const fireAndForget = (method: TabCallMethod) => void call(method, []).catch((error: unknown) => errors.emit(error as SyncClientError));

  const signedOut = () => {
    if (closed) return;
    mirror.setConnection({ status: 'closed' });
    void client.close();
  };

  const receive = (message: FromLeader) => {
    if (closed || retired.has(message.host)) return;
    if (message.host !== host) {
      // A new leader: the old one's unanswered calls go to it (followed by seq when stored, else again).
      if (host !== null) retired.add(host);
      host = message.host;
      if (message.t !== 'state') deps.post({ t: 'hello', tab: deps.tabId });
      for (const [id, pending] of calls) send(id, pending);
    }
    if (message.t === 'state') return mirror.apply(message.state);
    if (message.t === 'event') {
      const { event } = message;
      if (event.kind === 'change') changes.emit(event.event);
      else if (event.kind === 'lost') losses.emit(event.event);
      else if (event.kind === 'error') errors.emit(new SyncClientError(event.error.code, event.error.message));
      else if (event.kind === 'handoff') handoffs.emit(event.event);
      else signedOut();
      return;
    }
    if (message.tab !== deps.tabId) return;
    const pending = calls.get(message.id);
    if (!pending) return;
    if (message.t === 'stored') {
      pending.seq = message.seq;
      return;
    }
    calls.delete(message.id);
    if (message.result.ok) pending.resolve(message.result.value);
    else pending.reject(new SyncClientError(message.result.error.code, message.result.error.message));
  };

  const client: SyncClient = {
    cart: {
      get: mirror.cart,
      get frozen() {
        const frozen = mirror.frozen;
        return freezeHolds(frozen, Date.now() + mirror.clockOffsetMs) ? frozen : null;
      },
      add: (line) => mutation('cart.add', [line]),
      setQuantity: (sku, qty) => mutation('cart.setQuantity', [sku, qty]),
      remove: (sku) => mutation('cart.remove', [sku]),
      clear: () => mutation('cart.clear', []),
      subscribe: mirror.onCart,
    },
    watch: {
      get: (videoId) => mirror.watch().entries.get(videoId),
      continueWatching: () => mirror.watch().continueWatching,
      view: mirror.watch,
      report: (videoId, positionSec, durationSec, options) =>
        mutation('watch.report', options === undefined ? [videoId, positionSec, durationSec] : [videoId, positionSec, durationSec, options]),
      remove: (videoId) => mutation('watch.remove', [videoId]),
      subscribe: mirror.onWatch,
    },
    devices: {
      list: mirror.devices,
      subscribe: mirror.onDevices,
      signOut: async (deviceId) => void (await call('devices.signOut', [deviceId])),
    },
    playback: {
      // The leader's answer carries no value across the channel: the time it came back, in server time, stands in.
      handoff: async (deviceId, playback) => {
        await call('playback.handoff', [deviceId, playback]);
        return { deliveredAt: Math.round(Date.now() + mirror.clockOffsetMs) };
      },
      onHandoff: (listener) => handoffs.add(listener),
    },
    get status() {
      return mirror.connection.status;
    },
    get connection() {
      return mirror.connection;
    },
    onStatus: (listener) => mirror.onConnection((connection) => listener(connection.status)),
    onError: (listener) => errors.add(listener),
    onChange: (listener) => changes.add(listener),
    onChangesLost: (listener) => losses.add(listener),
    get deviceId() {
      return mirror.deviceId;
    },
    get tabRole() {
      return deps.role();
    },
    get nodeId() {
      const connection = mirror.connection;
      return connection.status === 'connected' ? connection.nodeId : null;
    },
    get pendingCount() {
      return mirror.pendingCount;
    },
    onPendingCount: mirror.onPendingCount,
    get version() {
      return mirror.version;
    },
    get epoch() {
      return mirror.epoch;
    },
    get clockOffsetMs() {
      return mirror.clockOffsetMs;
    },
    ready,
    goOffline: () => fireAndForget('goOffline'),
    goOnline: () => fireAndForget('goOnline'),
    reconnectNow: () => fireAndForget('reconnectNow'),
    signOut: async (options) => {
      await call('signOut', options === undefined ? [] : [options]);
      signedOut();
    },
    async close() {
      if (closed) return;
      closed = true;
      readyReject(closedError());
      for (const pending of calls.values()) pending.reject(closedError());
      calls.clear();
      await deps.close();
      mirror.setConnection({ status: 'closed' });
    },
  };

  return {
    client,
    receive,
    hello: () => deps.post({ t: 'hello', tab: deps.tabId }),
    wake: () => {
      if (host !== null) fireAndForget('wake');
    },
  };
}

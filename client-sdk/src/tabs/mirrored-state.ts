import type { CartFreeze, Device } from '../protocol/index.js';
import type { ConnectionState } from '../connection/state.js';
import { SyncClientError } from '../errors.js';
import { cartView, watchView, type CartView, type WatchView } from '../state/views.js';
import { createListeners } from '../util/listeners.js';
import type { TabConnection, TabState } from './messages.js';

/** The leader's state as a follower tab shows it; each part keeps its identity until its content changes. */
export interface MirroredState {
  apply(state: TabState): void;
  /** Shown until the first state arrives, and after the tab closed. */
  setConnection(connection: ConnectionState): void;
  readonly connection: ConnectionState;
  readonly deviceId: string | null;
  readonly pendingCount: number;
  readonly version: number;
  readonly epoch: string | null;
  readonly clockOffsetMs: number;
  readonly frozen: CartFreeze | null;
  cart(): CartView;
  watch(): WatchView;
  devices(): readonly Device[];
  onConnection(listener: (connection: ConnectionState) => void): () => void;
  onCart(listener: (cart: CartView) => void): () => void;
  onWatch(listener: (watch: WatchView) => void): () => void;
  onDevices(listener: (devices: readonly Device[]) => void): () => void;
  onPendingCount(listener: (count: number) => void): () => void;
}

function toConnection(connection: TabConnection): ConnectionState {
  return connection.status === 'unauthorized'
    ? { status: 'unauthorized', error: new SyncClientError(connection.error.code, connection.error.message) }
    : connection;
}

export function createMirroredState(initial: ConnectionState): MirroredState {
  const listeners = {
    connection: createListeners<ConnectionState>(),
    cart: createListeners<CartView>(),
    watch: createListeners<WatchView>(),
    devices: createListeners<readonly Device[]>(),
    pending: createListeners<number>(),
  };
  let connection = initial;
  let connectionKey = '';
  let cart = cartView(new Map(), 0);
  let cartKey = '';
  let watch = watchView(new Map(), 0);
  let watchKey = '';
  let devices: readonly Device[] = [];
  let devicesKey = '';
  let frozen: CartFreeze | null = null;
  let rest: Pick<TabState, 'deviceId' | 'pendingCount' | 'version' | 'epoch' | 'clockOffsetMs'> = {
    deviceId: null,
    pendingCount: 0,
    version: 0,
    epoch: null,
    clockOffsetMs: 0,
  };

  const setConnection = (next: ConnectionState, key: string) => {
    if (key === connectionKey || connection.status === 'closed') return;
    connectionKey = key;
    connection = next;
    listeners.connection.emit(connection);
  };

  return {
    apply(state) {
      const pendingBefore = rest.pendingCount;
      rest = { deviceId: state.deviceId, pendingCount: state.pendingCount, version: state.version, epoch: state.epoch, clockOffsetMs: state.clockOffsetMs };
      frozen = state.frozen;
      const nextCartKey = JSON.stringify([state.cart, state.frozen]);
      if (nextCartKey !== cartKey) {
        cartKey = nextCartKey;
        cart = cartView(new Map(state.cart.items.map((line, i) => [String(i), line])), state.cart.version);
        listeners.cart.emit(cart);
      }
      const nextWatchKey = JSON.stringify(state.watch);
      if (nextWatchKey !== watchKey) {
        watchKey = nextWatchKey;
        watch = watchView(new Map(state.watch.entries.map((entry) => [entry.videoId, entry])), state.watch.version);
        listeners.watch.emit(watch);
      }
      const nextDevicesKey = JSON.stringify(state.devices);
      if (nextDevicesKey !== devicesKey) {
        devicesKey = nextDevicesKey;
        devices = state.devices;
        listeners.devices.emit(devices);
      }
      if (state.pendingCount !== pendingBefore) listeners.pending.emit(state.pendingCount);
      setConnection(toConnection(state.connection), JSON.stringify(state.connection));
    },
    setConnection: (next) => setConnection(next, JSON.stringify(next)),
    get connection() {
      return connection;
    },
    get deviceId() {
      return rest.deviceId;
    },
    get pendingCount() {
      return rest.pendingCount;
    },
    get version() {
      return rest.version;
    },
    get epoch() {
      return rest.epoch;
    },
    get clockOffsetMs() {
      return rest.clockOffsetMs;
    },
    get frozen() {
      return frozen;
    },
    cart: () => cart,
    watch: () => watch,
    devices: () => devices,
    onConnection: (listener) => listeners.connection.add(listener),
    onCart: (listener) => listeners.cart.add(listener),
    onWatch: (listener) => listeners.watch.add(listener),
    onDevices: (listener) => listeners.devices.add(listener),
    onPendingCount: (listener) => listeners.pending.add(listener),
  };
}

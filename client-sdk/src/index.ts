export { createSyncClient } from './client/create-sync-client.js';
export type {
  SyncClient,
  SyncClientOptions,
  TabRole,
  MutationAck,
  SyncChangeEvent,
  ChangesLostEvent,
  NewCartLine,
  CartApi,
  WatchApi,
  DevicesApi,
  PlaybackApi,
  HandoffEvent,
} from './types.js';
export type { CartView, WatchView } from './state/views.js';
export type { SyncStatus, ConnectionState, OfflineReason } from './connection/state.js';
export type { ClientSocket, SocketFactory, SocketFactoryOptions } from './connection/socket.js';
export type { ChangeSource } from './sync/sync-engine.js';
export type { WatchEvent } from './watch/watch-throttle.js';
export type { Timers } from './util/timers.js';
export type { BackoffOptions } from './backoff.js';
export { appStateAdapter, type AppStateSource, type AppStateStatus, type ReactNativeAppStateLike } from './connection/app-lifecycle.js';
export { SyncClientError, isSyncClientError, type SyncClientErrorCode } from './errors.js';
export { memoryStorage, localStorageAdapter, asyncStorageAdapter, type SyncStorage, type AsyncStorageLike } from './storage/index.js';
export { fullJitterDelay } from './backoff.js';
export { mintOffer } from './offers/mint-offer.js';
export {
  PROTOCOL_VERSION,
  ERROR_CODES,
  RETRYABLE_CODES,
  type ErrorCode,
  type CartLine,
  type WatchEntry,
  type Device,
  type DeviceKind,
  type Change,
  type Op,
} from './protocol/index.js';

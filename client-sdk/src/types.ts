import type { CartFreeze, CartLine, Change, Device, DeviceKind, WatchEntry } from './protocol/index.js';
import type { BackoffOptions } from './backoff.js';
import type { AppStateSource } from './connection/app-lifecycle.js';
import type { SocketFactory } from './connection/socket.js';
import type { ConnectionState, SyncStatus } from './connection/state.js';
import type { SyncClientError } from './errors.js';
import type { CartView, WatchView } from './state/views.js';
import type { SyncStorage } from './storage/types.js';
import type { ChangeSource } from './sync/sync-engine.js';
import type { Timers } from './util/timers.js';
import type { WatchEvent } from './watch/watch-throttle.js';

export interface SyncClientOptions {
  /** The gateway URL (e.g. `https://sync.example.com`). Give `url` or `urls`. */
  url?: string;
  /** Gateway URLs; the client rotates through them when a connection fails or drops. */
  urls?: readonly string[];
  /** Returns a JWT for the user; called on connect, before the token expires, and after `token_expired`. */
  getToken: () => Promise<string> | string;
  /** This device's id. @default a random id kept in `storage` */
  deviceId?: string;
  /** Shown in the user's device list. */
  deviceName?: string;
  deviceKind?: DeviceKind;
  /** Where the outbox, the device id and the last state live. @default memoryStorage() (lost on restart) */
  storage?: SyncStorage;
  /** Prefix of every storage key. @default 'tandem:' */
  storagePrefix?: string;
  /** Connect at once; with false the client starts offline until `goOnline()`. @default true */
  connect?: boolean;
  /** At most one progress report per video per this many ms while playing. @default 5000 */
  watchReportIntervalMs?: number;
  /** How long a gap in live versions may stay open before the client asks for what it missed. @default 300 */
  gapTimeoutMs?: number;
  /** Longest wait for an answer before the connection is considered broken. @default 10000 */
  requestTimeoutMs?: number;
  /** Longest wait for a handshake. @default 10000 */
  connectTimeoutMs?: number;
  /**
   * Reconnect backoff (full jitter); while the page is visible (or `appState` is active) delays are capped at
   * `foregroundCapMs`. @default { baseMs: 500, capMs: 30000, foregroundCapMs: 10000 }
   */
  backoff?: Partial<BackoffOptions>;
  /**
   * The app's foreground state, for React Native: `appStateAdapter(AppState)`. On `active` the client
   * reconnects at once. Browsers need nothing: `online` and `visibilitychange` are listened to by default.
   */
  appState?: AppStateSource;
  /**
   * Share one connection between the tabs of this browser that share the device (the same `storage` or
   * `deviceId`): one tab holds it (elected with Web Locks), the others go through it over BroadcastChannel.
   * Where either API is missing (React Native, Node, old browsers), or with false, the client connects itself.
   * @default true
   */
  tabs?: boolean;
  /** socket.io-client's `io`, or a wrapper of it. @default io from socket.io-client */
  io?: SocketFactory;
  /** Clock and timers, for tests. @default the platform's */
  timers?: Timers;
  /** Random source for backoff jitter, for tests. @default Math.random */
  random?: () => number;
}

/**
 * `leader`: this tab holds the browser's connection for the device; `follower`: it goes through the leader's
 * tab; `alone`: it connects itself (no tab sharing here, or `tabs: false`).
 */
export type TabRole = 'leader' | 'follower' | 'alone';

/** What a mutation's promise resolves with: the server version that includes it. */
export interface MutationAck {
  readonly version: number;
  /** This device's sequence number of the mutation (with the device id, its identity in the user's log). */
  readonly seq: number;
  /** The server had already applied it (a resend after a lost answer). */
  readonly duplicate: boolean;
}

/** A committed change as the client applied it, for an event log. */
export type SyncChangeEvent =
  | {
      readonly type: 'change';
      readonly change: Change;
      /** `push` from another device, `ack` of our own mutation, `sync` from catching up after a (re)connect or a gap. */
      readonly source: ChangeSource;
      /** The gateway node the client is connected to. */
      readonly nodeId: string | null;
      /** Made by this device. */
      readonly own: boolean;
      /** Made by the app's backend through the admin API (not by any device). */
      readonly backend: boolean;
    }
  /** The state was replaced at `version`; changes after it follow as `change` events. */
  | { readonly type: 'snapshot'; readonly epoch: string; readonly version: number; readonly nodeId: string | null };

/**
 * Acknowledged changes the server no longer has: the store went back in time (a failover to a replica that
 * had not received them, a restart from an older backup). The client has already taken the server's state;
 * its pending (unacknowledged) mutations are sent again. An app can tell the user what could not be saved.
 */
export interface ChangesLostEvent {
  readonly reason: 'store_regressed';
  /** The epoch and versions this client had seen that are gone. */
  readonly epoch: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** The lost changes this client had applied, as far as it remembers (the last 256 versions), in order. */
  readonly changes: readonly Change[];
  /** How many of `changes` this device made. */
  readonly own: number;
}

export interface NewCartLine {
  sku: string;
  title: string;
  priceCents: number;
  /** @default 1 */
  qty?: number;
  /** ISO 4217 (`EUR`); a cart holds one currency, a line in another is refused `currency_mismatch`. */
  currency?: string;
  /** Up to 8 string pairs that make a variant (`{ size: 'M' }`). */
  attributes?: Readonly<Record<string, string>>;
  /** With `CART_PRICES=signed`: the offer token the shop's backend minted for this sku (see `mintOffer`). */
  offer?: string;
}

export interface CartApi {
  /** The cart with pending local changes applied. The same object until it changes. */
  get(): CartView;
  /**
   * The checkout holding the cart, or null. While it holds, edits are refused `frozen` by the server (the SDK
   * rolls them back): show the cart locked. It lapses by itself at `expiresAt` (server time); read it again
   * then (subscribers are told of the freeze and of its end, not of a lapse).
   */
  readonly frozen: CartFreeze | null;
  /** Adds `qty` of an item (creating the line; title and price are taken from the newest add). */
  add(line: NewCartLine): Promise<MutationAck>;
  /** Sets the quantity of a line; 0 removes it. */
  setQuantity(sku: string, qty: number): Promise<MutationAck>;
  remove(sku: string): Promise<MutationAck>;
  clear(): Promise<MutationAck>;
  subscribe(listener: (cart: CartView) => void): () => void;
}

export interface WatchApi {
  get(videoId: string): WatchEntry | undefined;
  /** Unfinished videos, most recently watched first. */
  continueWatching(): readonly WatchEntry[];
  /** All entries and the continue-watching list. The same object until they change. */
  view(): WatchView;
  /**
   * Reports the playback position. `progress` (the default, while playing) is throttled per video and never
   * moves the stored position back; `pause`, `seek` and `close` are sent at once and are taken even at an
   * earlier position (the user is there now). The event time is corrected to server time. The stored position
   * is the resume point the server's rules make of it (0 below 5 % or for short videos; 0 and `completed`
   * past 90 %).
   */
  report(videoId: string, positionSec: number, durationSec: number, options?: { event?: WatchEvent }): Promise<MutationAck>;
  /** Takes the video off watch progress ("continue watching") on every device of the user. */
  remove(videoId: string): Promise<MutationAck>;
  subscribe(listener: (watch: WatchView) => void): () => void;
}

/** Another device of the user asks this one to continue a video (see `client.playback.onHandoff`). */
export interface HandoffEvent {
  readonly fromDeviceId: string;
  readonly videoId: string;
  /** Where to start playing, in seconds. */
  readonly positionSec: number;
  /** When it was sent (server time, ms). */
  readonly at: number;
}

export interface PlaybackApi {
  /**
   * Asks another online device of this user to continue `videoId` at `positionSec` ("continue on laptop").
   * Sent live and never queued or stored: it resolves once the target's client took it (pause your player
   * then: its pause report records where the user left), and rejects `not_found` when the target is unknown
   * or offline, `unavailable` while this client is offline, `bad_request` for a bad argument.
   */
  handoff(deviceId: string, playback: { videoId: string; positionSec: number }): Promise<{ deliveredAt: number }>;
  /** Another device handed a video to this one: play it from `positionSec`. */
  onHandoff(listener: (event: HandoffEvent) => void): () => void;
}

export interface DevicesApi {
  list(): readonly Device[];
  /** Signs another device of this user out (its sessions end on every node); use `client.signOut()` for this one. */
  signOut(deviceId: string): Promise<void>;
  subscribe(listener: (devices: readonly Device[]) => void): () => void;
}

export interface SyncClient {
  readonly cart: CartApi;
  readonly watch: WatchApi;
  readonly devices: DevicesApi;
  /** Handoff of playback between the user's devices. */
  readonly playback: PlaybackApi;
  readonly status: SyncStatus;
  /** The connection state with its details (URL, node, next retry time, why offline). */
  readonly connection: ConnectionState;
  onStatus(listener: (status: SyncStatus) => void): () => void;
  /** Problems that have no promise to reject: connection errors, refused restored mutations, bad server messages. Also every refused mutation. */
  onError(listener: (error: SyncClientError) => void): () => void;
  /** Every committed change the client applies, in version order, and every snapshot. */
  onChange(listener: (event: SyncChangeEvent) => void): () => void;
  /** Acknowledged changes the server lost (the store went back in time), after the client took its state. */
  onChangesLost(listener: (event: ChangesLostEvent) => void): () => void;
  /** This device's id (null until a generated one is read from storage). */
  readonly deviceId: string | null;
  /** How this client connects: see `TabRole`. It moves from `follower` to `leader` when the leading tab closes. */
  readonly tabRole: TabRole;
  /** The gateway node the client is connected to, or null. */
  readonly nodeId: string | null;
  /** Mutations not yet acknowledged by the server. */
  readonly pendingCount: number;
  onPendingCount(listener: (count: number) => void): () => void;
  /** The server version the local state is based on (0 before the first sync). */
  readonly version: number;
  /** The epoch of the user's change log, or null before the first sync. */
  readonly epoch: string | null;
  /** Estimated server time minus local time, in ms. */
  readonly clockOffsetMs: number;
  /** Resolves after the first successful sync; rejects if the client is closed or unauthorized before. */
  readonly ready: Promise<void>;
  /** Disconnects and stays offline (mutations are kept and sent later). */
  goOffline(): void;
  /** Connects now. */
  goOnline(): void;
  /**
   * Skips the wait of a reconnect backoff (or a drain hint) and connects now, starting the backoff over; a no-op
   * unless the client is offline because its connection was lost (`goOffline()` keeps it offline).
   */
  reconnectNow(): void;
  /** Revokes this device's session (or every session of the user), then wipes local data and closes. */
  signOut(options?: { everywhere?: boolean }): Promise<void>;
  /** Disconnects for good; unsent mutations stay in storage for the next client with the same storage. */
  close(): Promise<void>;
}

export type { CartView, WatchView, SyncStatus, WatchEvent, CartLine, WatchEntry, Device };

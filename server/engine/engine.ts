import type {
  Change,
  Device,
  DeviceKind,
  Mutation,
  MutationResult,
  SyncPayload,
  WatchRules,
} from '../../client-sdk/src/protocol/index.ts';
import type { DomainOps } from './domain-ops.ts';
import type { SyncError } from '../errors.ts';
import type { BackendEngine } from './backend.ts';
import type { EventDemand, OutboxStore } from '../webhooks/outbox.ts';

/** Who is asking: the authenticated user, the device and the connection it speaks through. */
export interface Actor {
  userId: string;
  deviceId: string;
  /** Unique per connection; a newer connection of the same device supersedes older ones (`conflict`). */
  connId: string;
  /** The token's `iat` (ms); writes from sessions revoked after it are refused (`unauthorized`). */
  issuedAt: number;
  /** The user's keys live on this long after the write (RETENTION_*_DAYS; 0 or absent: no expiry). */
  retentionMs?: number;
}

export interface DeviceHello {
  deviceId: string;
  name: string;
  kind: DeviceKind;
  nodeId: string;
  connId: string;
  issuedAt: number;
  /** As in Actor: a connect refreshes every key of the user. */
  retentionMs?: number;
  /** The token's identity (`jti` or a hash of it): a revoked token is refused under any deviceId. */
  tokenId?: string;
}

/** A session a node holds, as the periodic revocation re-check sees it. */
export interface SessionRef {
  userId: string;
  deviceId: string;
  issuedAt: number;
  tokenId?: string;
}

/**
 * A session that reads, checked against the revocation marks in the same atomic step as the read: a revoked
 * session reads nothing, whether or not the revoke signal reached its node.
 */
export type Reader = Omit<SessionRef, 'userId'>;

/** How `resume` reads. */
export interface ResumeOptions {
  /** The session asking; without it nothing is checked (an internal read). */
  reader?: Reader;
  /**
   * The client pages a long catch-up (protocol 3): changes past LIMITS.syncBytes come as pages with `more`;
   * otherwise they come as a snapshot. @default false
   */
  paged?: boolean;
}

/** Token bucket applied per user across all nodes. */
export interface RateLimit {
  /** Requests per second refilled. */
  perSecond: number;
  /** Bucket size: the burst a user may send at once. */
  burst: number;
}

export interface EngineOptions {
  rateLimit: RateLimit;
  /** Most devices one user may register; the oldest offline device is evicted to make room. */
  maxDevices: number;
  /**
   * The longest lifetime a token may have (JWT_MAX_LIFETIME_SEC, in ms): a device or sign-out-everywhere mark
   * older than this refuses only expired tokens, so a revoke prunes it. 0 keeps such marks. @default 0
   */
  tokenLifetimeMs?: number;
  /** The backend API's own bucket per user and its Idempotency-Key memory. @default BACKEND_DEFAULTS */
  backend?: { rateLimit: RateLimit; idempotencyTtlMs: number; idempotencyMax: number };
  /** What a watch report leaves as the resume point (WATCH_* variables). @default DEFAULT_WATCH_RULES */
  watchRules?: WatchRules;
  /** Which webhook events to record in the users' outboxes (server/webhooks/outbox.ts). @default none */
  events?: EventDemand;
}

/** A user's devices after a presence change, to be pushed to the user's room. */
export interface DevicesChanged {
  userId: string;
  devices: Device[];
}

/**
 * How to publish a committed change from inside the store's write: `prefix + change JSON + suffix` on the
 * sharded pub/sub `channel`. Saves the node a publish round trip per change, and publishes in version order.
 */
export interface FanoutEnvelope {
  channel: string;
  prefix: string;
  suffix: string;
}

/** What `resume` answers. */
export interface Resumed {
  sync: SyncPayload;
  devices: Device[];
  /**
   * Acknowledged versions this answer found lost for the first time (the store went back in time and this
   * client had seen further; see SyncReset): counted once per user across all nodes, 0 otherwise.
   */
  newlyLost: number;
}

/** A mutation's result as the store answers it; the caller answers the device with the MutationResult part. */
export type StoreMutationResult = MutationResult & {
  /** The store published the change itself (see `mutate`). */
  published?: boolean;
  /**
   * For a duplicate: the change it committed, for the caller to push to the user's devices (a device that has
   * the version ignores it). Set only by a store that pushes a change once replicas have it
   * (REDIS_MIN_REPLICAS_ACK): the first answer may have been `unavailable` (committed, not on enough replicas
   * in time), and then nobody was told of the change.
   */
  unpushed?: Change;
};

/** What a batch of mutations did: the first `results.length` were applied in order; `error` refused the next. */
export interface BatchOutcome {
  results: StoreMutationResult[];
  /** Why the mutation after the last result was refused (the ones after it were not tried); absent when all applied. */
  error?: SyncError;
}

/**
 * The state store. Every method is atomic per user; every mutation is exactly-once per (deviceId, seq).
 * Errors are thrown as SyncError with a protocol code (`bad_request`, `rate_limited`, `unauthorized`,
 * `conflict`, `forbidden`, `unavailable`).
 */
export interface Engine extends DomainOps {
  readonly kind: 'memory' | 'redis';
  /** What the app's backend does through the admin API (server/engine/backend.ts). */
  readonly backend: BackendEngine;
  /** The users' webhook outboxes, as the dispatcher and the pull API read them (server/webhooks/). */
  readonly outbox: OutboxStore;
  /**
   * Applies a mutation once: bumps the version, logs the change; a resend returns `duplicate: true`.
   * With `fanout`, a store that has pub/sub publishes the change in the same atomic write and answers
   * `published: true` (the caller then skips its own broadcast); others ignore it.
   */
  mutate(actor: Actor, mutation: Mutation, fanout?: FanoutEnvelope): Promise<StoreMutationResult>;
  /**
   * Applies mutations of one device in order, in one atomic step of the store, each exactly as `mutate` would
   * (its own checks, rate token, dedup and fan-out); stops at the first one refused and says why. Errors of the
   * store itself (`unavailable`) are thrown: some of the batch may then have been applied, so resend it whole.
   */
  mutateBatch(actor: Actor, mutations: readonly Mutation[], fanout?: FanoutEnvelope): Promise<BatchOutcome>;
  /**
   * The changes after `since`, or a snapshot when the log does not reach back or the epoch differs. The
   * gateway reads through `resume`; this is the same read without a rate token, for what checks a user's
   * state from outside a session (the contract suite after draining a bucket, the fault harness's truth).
   */
  sync(userId: string, since: { epoch: string; version: number } | null): Promise<SyncPayload>;
  /**
   * What a socket asks right after it (re)connects, as one atomic step: refuses a revoked `reader`
   * (`unauthorized`), takes a rate token (throws `rate_limited`), then answers `sync(userId, since)` (paged as
   * asked) and the user's devices, and charges one more token per LIMITS.rateBytesPerToken of that answer.
   */
  resume(userId: string, since: { epoch: string; version: number } | null, options?: ResumeOptions): Promise<Resumed>;
  /** `devices:list` of a session, as one atomic step: refuses a revoked reader, takes a rate token, lists. */
  readDevices(userId: string, reader: Reader): Promise<Device[]>;
  /** Registers a connecting device (refuses revoked sessions and a full device list) and returns the list. */
  connectDevice(userId: string, hello: DeviceHello): Promise<Device[]>;
  /** Marks the device offline if `connId` is still its current connection; null when nothing changed. */
  disconnectDevice(userId: string, deviceId: string, connId: string): Promise<Device[] | null>;
  /** Refreshes `lastSeen` of connected devices (called periodically by each node). */
  touchDevices(entries: ReadonlyArray<{ userId: string; deviceId: string; connId: string }>): Promise<void>;
  /** Marks devices whose `lastSeen` is older than `staleMs` offline (their node died); returns what changed. */
  sweepStaleDevices(staleMs: number): Promise<DevicesChanged[]>;
  listDevices(userId: string): Promise<Device[]>;
  /**
   * Refuses, from now on, tokens issued before now for one device (a known one: else `not_found`), or for
   * every device of the user; with `token`, also that token itself until it expires (`until`, ms). Marks of
   * tokens past their expiry are pruned on the way. `retentionMs` keeps every key of the user that long, as a write does.
   */
  revoke(userId: string, scope: { deviceId?: string; token?: { id: string; until: number }; retentionMs?: number }): Promise<number>;
  /** Whether a token issued at `issuedAt` for this device (or the token itself) has been revoked. */
  isRevoked(userId: string, deviceId: string, issuedAt: number, tokenId?: string): Promise<boolean>;
  /** Of these sessions, the indexes of those revoked now (the nodes' periodic re-check, whatever pub/sub lost). */
  revokedSessions(sessions: ReadonlyArray<SessionRef>): Promise<number[]>;
  /** Takes one request from the user's rate-limit bucket (for requests that are not mutations). */
  takeRateToken(userId: string): Promise<void>;
  /**
   * The identity of the store's data: the same value until the store loses its data (a Redis restarted
   * empty or flushed), then a new one. Nodes compare it to notice a loss that no write would reveal.
   */
  storeId(): Promise<string>;
  /** Resolves when the store answers; throws `unavailable` otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

import { userTag } from '../../../client-sdk/src/rules/index.ts';

/**
 * The Redis keys of one user: all share the user's hash tag (see userTag), so they live in one Cluster slot.
 * Erasing a user deletes every key listed here: a new per-user key belongs in this list.
 */
export interface UserKeys {
  meta: string;
  cart: string;
  watch: string;
  watchz: string;
  log: string;
  seq: string;
  conn: string;
  devices: string;
  revoked: string;
  /** Guests merged into this user: guest id → ms (the merge's idempotency marker). */
  merges: string;
  /** videoId → when it was removed (ms): a report made before that does not bring it back. */
  watchgone: string;
  /** Backend API: Idempotency-Key → its answer (hash), and the keys by time (zset) for expiry. */
  idem: string;
  idemz: string;
}

export function userKeys(userId: string): UserKeys {
  const tag = userTag(userId);
  return {
    meta: `${tag}:meta`,
    cart: `${tag}:cart`,
    watch: `${tag}:watch`,
    watchz: `${tag}:watchz`,
    watchgone: `${tag}:watchgone`,
    log: `${tag}:log`,
    seq: `${tag}:seq`,
    conn: `${tag}:conn`,
    devices: `${tag}:devices`,
    revoked: `${tag}:revoked`,
    merges: `${tag}:merges`,
    idem: `${tag}:idem`,
    idemz: `${tag}:idemz`,
  };
}

/**
 * The user's webhook outbox (server/webhooks/outbox.ts): in the user's slot, so the scripts that commit a
 * change record its events atomically, but not among userKeys: an erase keeps them (pending events and
 * `user.erased` outlive the user's data) and only the dispatcher removes what it delivered.
 */
export interface HookKeys {
  /** List of event entries, oldest first. */
  outbox: string;
  /** Hash: `seq`, `bytes`, `drop`, and per endpoint its cursor and retry state. */
  state: string;
  /** The delivering node's lease (SET NX PX). */
  lease: string;
}

export function hookKeys(userId: string): HookKeys {
  const tag = userTag(userId);
  return { outbox: `${tag}:outbox`, state: `${tag}:hooks`, lease: `${tag}:hlease` };
}

/** The outbox keys the recording scripts take after the user's own (outbox, state). */
export const HOOK_KEY_COUNT = 2;

/** The user id of an outbox key (the periodic sweep finds outboxes by SCAN). */
export function userOfOutboxKey(key: string): string | null {
  return key.startsWith('{u:') && key.endsWith('}:outbox') ? key.slice(3, -'}:outbox'.length) : null;
}

/** How many keys one user has: scripts that keep every key of the user (retention) take them all. */
export const USER_KEY_COUNT = Object.keys(userKeys('_')).length;

/** `first` (the keys a script reads by position), then every other key of the user, for its retention. */
export function withEveryKey(keys: UserKeys, first: readonly string[]): string[] {
  return [...first, ...Object.values(keys).filter((key) => !first.includes(key))];
}

/** The one cross-user key: `userId\ndeviceId` scored by lastSeen, read by the stale-device sweep. */
export const PRESENCE_KEY = '{presence}';

export function presenceMember(userId: string, deviceId: string): string {
  return `${userId}\n${deviceId}`;
}

export function parsePresenceMember(member: string): { userId: string; deviceId: string } | null {
  const at = member.lastIndexOf('\n');
  if (at <= 0) return null;
  return { userId: member.slice(0, at), deviceId: member.slice(at + 1) };
}

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

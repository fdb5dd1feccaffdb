import type { CartLine, Change, Device, WatchEntry } from '../../../client-sdk/src/protocol/index.ts';
import type { Bucket } from '../../domain/rate-limit.ts';

/** Everything the memory engine keeps for one user (the same content as the user's Redis keys). */
export interface UserState {
  epoch: string;
  version: number;
  cart: Map<string, CartLine>;
  watch: Map<string, WatchEntry>;
  /** Newest last, at most LIMITS.changeLog. */
  log: Change[];
  /** deviceId → last applied seq and the version it committed at. */
  seqs: Map<string, { seq: number; version: number }>;
  /** deviceId → current connId. */
  conns: Map<string, string>;
  devices: Map<string, Device>;
  /** `*` or deviceId → ms before which tokens are refused. */
  revoked: Map<string, number>;
  bucket: Bucket | undefined;
}

export function createUserState(epoch: string): UserState {
  return {
    epoch,
    version: 0,
    cart: new Map(),
    watch: new Map(),
    log: [],
    seqs: new Map(),
    conns: new Map(),
    devices: new Map(),
    revoked: new Map(),
    bucket: undefined,
  };
}

import { LIMITS } from '../protocol/index.js';
import { SyncClientError } from '../errors.js';
import type { Timers } from '../util/timers.js';
import { decodeTokenClaims, type TokenClaims } from './jwt.js';

export interface TokenInfo extends TokenClaims {
  readonly token: string;
  /** Local time it was fetched. */
  readonly fetchedAt: number;
}

export interface TokenManagerDeps {
  getToken: () => Promise<string> | string;
  timers: Timers;
  /** Local time → server time (the token's `exp` is in the issuer's clock). */
  toServerTime: (local: number) => number;
}

export interface TokenManager {
  /** The cached token while it is not due for refresh, otherwise a new one; `fresh` when getToken was just called. */
  get(): Promise<{ info: TokenInfo; fresh: boolean }>;
  /** Always asks getToken (one call at a time, shared by concurrent callers). */
  fetch(): Promise<TokenInfo>;
  /** Forgets the cached token, so the next `get` fetches. */
  invalidate(): void;
  /** Local time at which the token should be replaced; null when it has no expiry. */
  refreshAt(info: TokenInfo): number | null;
  readonly current: TokenInfo | null;
}

/** Refresh ahead of expiry by a quarter of the token's life, at most a minute. */
function leadMs(info: TokenInfo, serverFetchedAt: number): number {
  if (info.expiresAt === null) return 0;
  const lifetime = info.expiresAt - (info.issuedAt ?? serverFetchedAt);
  return Math.max(0, Math.min(60_000, lifetime / 4));
}

export function createTokenManager(deps: TokenManagerDeps): TokenManager {
  let current: TokenInfo | null = null;
  let inflight: Promise<TokenInfo> | null = null;

  const refreshAt = (info: TokenInfo): number | null => {
    if (info.expiresAt === null) return null;
    const offset = deps.toServerTime(0);
    const lead = leadMs(info, info.fetchedAt + offset);
    return info.expiresAt - lead - offset;
  };

  const fetch = (): Promise<TokenInfo> => {
    inflight ??= (async () => {
      try {
        const token = await deps.getToken();
        if (typeof token !== 'string' || token.length === 0 || token.length > LIMITS.tokenLength) {
          throw new SyncClientError('unauthorized', 'getToken did not return a token');
        }
        const info: TokenInfo = { token, fetchedAt: deps.timers.now(), ...decodeTokenClaims(token) };
        current = info;
        return info;
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  };

  return {
    async get() {
      const cached = current;
      if (cached) {
        const due = refreshAt(cached);
        if (due === null || deps.timers.now() < due) return { info: cached, fresh: false };
      }
      return { info: await fetch(), fresh: true };
    },
    fetch,
    invalidate() {
      current = null;
    },
    refreshAt,
    get current() {
      return current;
    },
  };
}

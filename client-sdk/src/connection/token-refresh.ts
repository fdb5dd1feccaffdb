import { SyncClientError } from '../errors.js';
import type { TokenManager } from '../token/token-manager.js';
import { createTimerSlot, type Timers } from '../util/timers.js';
import { request } from './request.js';
import type { ClientSocket } from './socket.js';

export interface TokenRefreshDeps {
  tokens: TokenManager;
  timers: Timers;
  requestTimeoutMs: number;
  onError(error: SyncClientError): void;
  /** A fresh token was refused: the credentials are no good. */
  onUnauthorized(error: SyncClientError): void;
}

/** Keeps the token of the open connection fresh: `auth:refresh` before it expires, retried while it fails. */
export interface TokenRefresh {
  /** The connection is open on `socket`: refresh it from now on (it replaces any earlier socket). */
  start(socket: ClientSocket): void;
  /** The connection is gone: nothing more is sent. */
  stop(): void;
  /** Refreshes now (a request answered `token_expired`); a no-op with no open connection. */
  now(): void;
}

/** Retry delay after a failed refresh; if the token runs out first the server closes the transport. */
const RETRY_MS = 1000;

export function createTokenRefresh(deps: TokenRefreshDeps): TokenRefresh {
  const timer = createTimerSlot(deps.timers);
  let current: ClientSocket | null = null;

  const schedule = (socket: ClientSocket) => {
    const info = deps.tokens.current;
    const at = info ? deps.tokens.refreshAt(info) : null;
    if (at !== null) timer.set(() => void refresh(socket), at - deps.timers.now());
  };

  const refresh = async (socket: ClientSocket) => {
    let token: string;
    try {
      token = (await deps.tokens.fetch()).token;
    } catch (error) {
      if (current !== socket) return;
      if (error instanceof SyncClientError && error.code === 'unauthorized') return deps.onUnauthorized(error);
      deps.onError(new SyncClientError('unavailable', 'getToken failed', { cause: error }));
      timer.set(() => void refresh(socket), RETRY_MS);
      return;
    }
    if (current !== socket) return;
    const answer = await request(socket, 'auth:refresh', { token }, deps.requestTimeoutMs);
    if (current !== socket) return;
    if (answer.kind === 'ok') return schedule(socket);
    if (answer.kind === 'error' && answer.error.code === 'unauthorized') {
      return deps.onUnauthorized(new SyncClientError('unauthorized', answer.error.message));
    }
    if (answer.kind === 'error') deps.onError(new SyncClientError(answer.error.code, answer.error.message));
    timer.set(() => void refresh(socket), RETRY_MS);
  };

  return {
    start(socket) {
      current = socket;
      schedule(socket);
    },
    stop() {
      current = null;
      timer.clear();
    },
    now() {
      if (current) void refresh(current);
    },
  };
}

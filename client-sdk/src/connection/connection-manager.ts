import { PROTOCOL_VERSION, SessionEnding, WireError, type ErrorCode, type HandshakeAuth } from '../protocol/index.js';
import { fullJitterDelay, type BackoffOptions } from '../backoff.js';
import { SyncClientError } from '../errors.js';
import type { TokenManager } from '../token/token-manager.js';
import { createTimerSlot, type Timers } from '../util/timers.js';
import type { ClientSocket, SocketFactory } from './socket.js';
import type { ConnectionStateMachine } from './state.js';
import { reconnectBackoff } from './reconnect-policy.js';
import { createGiveUp } from './give-up.js';
import { createTokenRefresh } from './token-refresh.js';
import { createUrlRotation } from './url-rotation.js';

/** What the client does with a socket; the manager only runs its lifecycle. */
export interface SessionHooks {
  /** A socket was created: attach push listeners now, before any push can arrive. */
  attach(socket: ClientSocket): void;
  /** The socket connected: sync, then resolve with the node's id. A rejection drops the socket. */
  open(socket: ClientSocket): Promise<{ nodeId: string }>;
  /** The socket is gone; its unanswered requests are lost. */
  closed(socket: ClientSocket): void;
}

export interface ConnectionManagerDeps {
  urls: readonly string[];
  io: SocketFactory;
  handshake: () => Omit<HandshakeAuth, 'token' | 'protocol'>;
  tokens: TokenManager;
  machine: ConnectionStateMachine;
  timers: Timers;
  random: () => number;
  backoff: BackoffOptions;
  /** The page is visible / the app active: reconnect delays are capped at `backoff.foregroundCapMs`. @default always */
  foreground?: () => boolean;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  session: SessionHooks;
  onError(error: SyncClientError): void;
  /** Credentials were refused for good (a fresh token refused, or the session revoked). */
  onUnauthorized(error: SyncClientError, cause: 'refused' | 'revoked' | 'erased'): void;
}

export interface ConnectionManager {
  /** Connects unless the client is offline on purpose. */
  start(): void;
  goOffline(): void;
  /** Connects now (also after `unauthorized`, e.g. once the user signed in again). */
  goOnline(): void;
  /** Drops the connection and reconnects soon (the server said `conflict`, or answered nonsense). */
  reconnect(): void;
  /** Sends a fresh token now (a request answered `token_expired`). */
  refreshToken(): void;
  /** The socket, once connected and synced. */
  readonly socket: ClientSocket | null;
  close(): void;
}

/**
 * Error payloads of a refused handshake arrive as `connect_error` with `data: { code, message }`. A node refuses a
 * foreign Origin before socket.io (HTTP 403); Node and React Native show that status in the transport error.
 */
function handshakeError(error: unknown): { code: ErrorCode | null; message: string; origin?: true } {
  const data = (error as { data?: unknown } | null)?.data;
  const parsed = WireError.safeParse(data);
  if (parsed.success) return parsed.data;
  const detail = (error as { description?: { message?: unknown } } | null)?.description?.message;
  if (typeof detail === 'string' && /\b403\b/.test(detail)) {
    return { code: 'forbidden', message: "the node refused the connection (HTTP 403): this page's Origin is not allowed; add it to the node's CORS_ORIGINS", origin: true };
  }
  return { code: null, message: error instanceof Error ? error.message : 'connection failed' };
}

interface Link {
  readonly socket: ClientSocket;
  readonly url: string;
  readonly attempt: number;
  readonly freshToken: boolean;
  ending: SessionEnding | null;
  drainAt: number | null;
  open: boolean;
}

export function createConnectionManager(deps: ConnectionManagerDeps): ConnectionManager {
  const { machine, timers } = deps;
  const retryTimer = createTimerSlot(timers);
  const drainTimer = createTimerSlot(timers);
  const refresher = createTokenRefresh({
    tokens: deps.tokens,
    timers,
    requestTimeoutMs: deps.requestTimeoutMs,
    onError: deps.onError,
    onUnauthorized: (error) => unauthorized(error, 'refused'),
  });
  let link: Link | null = null;
  const giveUp = createGiveUp();
  const rotation = createUrlRotation(deps.urls, deps.random);
  // Bumped whenever a pending connect must be abandoned (offline, close, unauthorized).
  let generation = 0;

  const stopped = () => {
    const state = machine.state;
    return state.status === 'closed' || state.status === 'unauthorized' || (state.status === 'offline' && state.reason === 'manual');
  };

  /** Forgets the current socket without letting its disconnect event drive a reconnect. */
  const dropLink = () => {
    const current = link;
    link = null;
    refresher.stop();
    if (!current) return;
    current.socket.disconnect();
    deps.session.closed(current.socket);
  };

  const halt = () => {
    generation++;
    retryTimer.clear();
    drainTimer.clear();
    dropLink();
  };

  const unauthorized = (error: SyncClientError, cause: 'refused' | 'revoked' | 'erased') => {
    halt();
    if (machine.to({ status: 'unauthorized', error })) deps.onUnauthorized(error, cause);
  };

  const scheduleRetry = (attempt: number, minDelayMs = 0) => {
    if (stopped()) return;
    rotation.moveOn();
    const delay = Math.max(minDelayMs, fullJitterDelay(attempt, reconnectBackoff(deps.backoff, deps.foreground?.() ?? true), deps.random));
    machine.to({ status: 'offline', reason: 'network', attempt, retryAt: timers.now() + delay });
    retryTimer.set(() => void connect(attempt + 1), delay);
  };

  const failed = (attempt: number, code: ErrorCode | null, message: string, freshToken: boolean) => {
    if (code === 'unauthorized' || code === 'token_expired') {
      if (!freshToken) {
        // The cached token may simply be stale: try once more with a fresh one before giving up.
        deps.tokens.invalidate();
        void connect(attempt);
        return;
      }
      if (code === 'unauthorized') {
        unauthorized(new SyncClientError('unauthorized', message), 'refused');
        return;
      }
      deps.tokens.invalidate();
      const stop = giveUp.freshTokenExpired(message);
      if (stop) return unauthorized(stop, 'refused');
    }
    deps.onError(new SyncClientError(code ?? 'unavailable', message));
    scheduleRetry(attempt);
  };

  const connect = async (attempt: number): Promise<void> => {
    retryTimer.clear();
    if (machine.state.status === 'closed') return;
    const mine = ++generation;
    const url = rotation.current;
    machine.to({ status: 'connecting', url, attempt });
    let token: { info: { token: string }; fresh: boolean };
    try {
      token = await deps.tokens.get();
    } catch (error) {
      if (mine !== generation) return;
      const code = error instanceof SyncClientError ? error.code : 'unavailable';
      const stop = code === 'unauthorized' ? (error as SyncClientError) : giveUp.tokenFailed(error);
      if (stop) unauthorized(stop, 'refused');
      else {
        deps.onError(new SyncClientError('unavailable', `getToken failed (${error instanceof Error ? error.message : String(error)})`, { cause: error }));
        scheduleRetry(attempt);
      }
      return;
    }
    if (mine !== generation) return;
    // One socket at a time: when two reconnects are due (a retry and a drain hint), the first one's socket must
    // not stay open beside the second, or the server lets whichever connects later supersede the one in use.
    dropLink();
    drainTimer.clear();
    const auth: HandshakeAuth = { ...deps.handshake(), token: token.info.token, protocol: PROTOCOL_VERSION };
    const socket = deps.io(url, {
      transports: ['websocket'],
      forceNew: true,
      // The SDK runs its own backoff and rotates through the URLs; socket.io's would stick to one node.
      reconnection: false,
      timeout: deps.connectTimeoutMs,
      auth,
    });
    const l: Link = { socket, url, attempt, freshToken: token.fresh, ending: null, drainAt: null, open: false };
    link = l;
    deps.session.attach(socket);

    socket.on('session:ending', (payload) => {
      const parsed = SessionEnding.safeParse(payload);
      if (!parsed.success || link !== l) return;
      l.ending = parsed.data;
      if (parsed.data.reason === 'drain') {
        l.drainAt = timers.now() + (parsed.data.reconnectAfterMs ?? 0);
        drainTimer.set(() => {
          if (stopped()) return;
          if (link === l) dropLink();
          rotation.moveOn();
          void connect(0);
        }, l.drainAt - timers.now());
      }
    });

    socket.on('connect_error', (error) => {
      if (link !== l) return;
      link = null;
      socket.disconnect();
      deps.session.closed(socket);
      const { code, message, origin } = handshakeError(error);
      // Retrying cannot change the page's Origin: stop (status unauthorized, `ready` rejects) and say why.
      if (origin) unauthorized(new SyncClientError('forbidden', message), 'refused');
      else failed(attempt, code, message, l.freshToken);
    });

    socket.on('connect', () => {
      if (link !== l) return;
      deps.session.open(socket).then(
        ({ nodeId }) => {
          if (link !== l || !socket.connected) return;
          l.open = true;
          giveUp.connected();
          machine.to({ status: 'connected', url, nodeId });
          refresher.start(socket);
        },
        (error: unknown) => {
          if (link !== l) return;
          dropLink();
          const code = error instanceof SyncClientError && error.code !== 'closed' ? error.code : null;
          failed(attempt, code, error instanceof Error ? error.message : 'session failed', l.freshToken);
        },
      );
    });

    socket.on('disconnect', (reason) => {
      if (link !== l) return;
      link = null;
      refresher.stop();
      deps.session.closed(socket);
      const ending = l.ending;
      if (ending?.reason === 'revoked' || ending?.reason === 'erased') {
        unauthorized(new SyncClientError('unauthorized', ending.message || 'session revoked'), ending.reason);
      } else if (ending?.reason === 'drain' && l.drainAt !== null) {
        // The drain timer reconnects at the time the server asked for.
        machine.to({ status: 'offline', reason: 'drain', attempt: 0, retryAt: l.drainAt });
      } else if (ending?.reason === 'token_expired') {
        deps.tokens.invalidate();
        void connect(0);
      } else if (ending?.reason === 'superseded') {
        machine.to({ status: 'offline', reason: 'superseded', attempt: 0, retryAt: null });
      } else if (ending?.reason === 'flood') {
        scheduleRetry(4);
      } else {
        deps.onError(new SyncClientError('unavailable', `connection lost (${String(reason)})`));
        scheduleRetry(l.open ? 0 : attempt + 1);
      }
    });
  };

  return {
    start() {
      if (stopped() || link || retryTimer.armed) return;
      void connect(0);
    },
    goOffline() {
      if (machine.state.status === 'closed') return;
      halt();
      machine.to({ status: 'offline', reason: 'manual', attempt: 0, retryAt: null });
    },
    goOnline() {
      const status = machine.state.status;
      if (status === 'closed' || status === 'connected' || status === 'connecting') return;
      if (status === 'unauthorized') deps.tokens.invalidate();
      halt();
      void connect(0);
    },
    reconnect() {
      if (stopped()) return;
      dropLink();
      scheduleRetry(1);
    },
    refreshToken: () => refresher.now(),
    get socket() {
      return link?.open ? link.socket : null;
    },
    close() {
      halt();
      machine.to({ status: 'closed' });
    },
  };
}

import type { ExtendedError } from 'socket.io';
import { HandshakeAuth, LIMITS, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, type Device, type WireError } from '../../client-sdk/src/protocol/index.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { Engine } from '../engine/engine.ts';
import { SyncError, toWireError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { cookieToken } from './auth-cookie.ts';
import { createFloodGuard, type FloodGuardOptions } from './flood-guard.ts';
import { clientAddress, type HandshakeGate } from './handshake-gate.ts';
import { userRoom } from './rooms.ts';
import type { GatewaySocket } from './session.ts';

export interface HandshakeDeps {
  engine: Engine;
  verifier: TokenVerifier;
  nodeId: string;
  logger: Logger;
  metrics: Metrics;
  flood: FloodGuardOptions;
  /** Devices the user had right after this socket registered, keyed by socket, pushed on `connection`. */
  connectedDevices: WeakMap<GatewaySocket, Device[]>;
  gate: HandshakeGate;
  /** This node's sockets of a user (connected ones; handshakes in flight are counted here). */
  socketsOf(userId: string): number;
  /** Sockets one user may hold on this node, connected or connecting. */
  maxSocketsPerUser: number;
  /** Proxy hops whose X-Forwarded-For is trusted (client address for the per-IP bound). */
  trustProxy: number;
  /** How long the user's keys live after a connect or a write (absent: no expiry). */
  retentionOf?: (userId: string, guest: boolean) => number;
  /** AUTH_COOKIE_NAME: a handshake without a token may carry it in this cookie (null or absent: off). */
  authCookieName?: string | null;
}

const QUERY_TOKEN_KEYS = ['token', 'access_token', 'jwt', 'auth'];

function refusal(error: WireError): ExtendedError {
  const err: ExtendedError = new Error(error.message);
  err.data = error;
  return err;
}

/** What the middleware keeps across handshakes: handshakes in flight per user. */
type Deps = HandshakeDeps & { connecting: Map<string, number> };

/** Runs `register` unless the user already holds its cap of sockets on this node (connected or connecting). */
async function withinUserCap<T>(userId: string, deps: Deps, register: () => Promise<T>): Promise<T> {
  const { connecting } = deps;
  const inFlight = connecting.get(userId) ?? 0;
  if (deps.socketsOf(userId) + inFlight >= deps.maxSocketsPerUser) {
    throw new SyncError('rate_limited', `at most ${deps.maxSocketsPerUser} connections per user on one node`);
  }
  connecting.set(userId, inFlight + 1);
  try {
    return await register();
  } finally {
    const left = (connecting.get(userId) ?? 1) - 1;
    if (left <= 0) connecting.delete(userId);
    else connecting.set(userId, left);
  }
}

async function admit(socket: GatewaySocket, deps: Deps): Promise<void> {
  // A token in the URL ends up in proxy and access logs: refuse it even when it is valid.
  if (QUERY_TOKEN_KEYS.some((k) => k in socket.handshake.query)) {
    throw new SyncError('unauthorized', 'send the token in the handshake auth payload, never in the URL');
  }
  const parsed = HandshakeAuth.safeParse(socket.handshake.auth);
  if (!parsed.success) {
    const tokenIssue = parsed.error.issues.some((i) => i.path[0] === 'token');
    throw new SyncError(tokenIssue ? 'unauthorized' : 'bad_request', tokenIssue ? 'token missing or malformed' : 'handshake auth malformed');
  }
  const auth = parsed.data;
  if (auth.protocol < MIN_PROTOCOL_VERSION || auth.protocol > PROTOCOL_VERSION) {
    throw new SyncError('bad_request', `protocol ${auth.protocol} not supported (server speaks ${MIN_PROTOCOL_VERSION}-${PROTOCOL_VERSION})`);
  }
  const token = auth.token ?? (deps.authCookieName ? cookieToken(socket.handshake.headers.cookie, deps.authCookieName) : null);
  if (token === null || token.length > LIMITS.tokenLength) {
    throw new SyncError('unauthorized', deps.authCookieName ? `token missing: send it in the handshake auth or the ${deps.authCookieName} cookie` : 'token missing or malformed');
  }
  const claims = await deps.verifier.verify(token);
  if (claims.deviceId !== null && claims.deviceId !== auth.deviceId) {
    throw new SyncError('unauthorized', 'token is bound to another device');
  }
  const connId = socket.id;
  const retention = deps.retentionOf?.(claims.userId, claims.guest) ?? 0;
  const devices = await withinUserCap(claims.userId, deps, () => deps.engine.connectDevice(claims.userId, {
    retentionMs: retention,
    deviceId: auth.deviceId,
    name: auth.deviceName ?? auth.deviceId,
    kind: auth.deviceKind ?? 'other',
    nodeId: deps.nodeId,
    connId,
    issuedAt: claims.issuedAt,
    tokenId: claims.tokenId,
  }));
  if (socket.conn.readyState !== 'open') {
    // The client left while we were registering it: undo, or the device would look online until the sweep.
    await deps.engine.disconnectDevice(claims.userId, auth.deviceId, connId);
    throw new SyncError('unavailable', 'connection closed during handshake');
  }
  socket.data.session = {
    userId: claims.userId,
    deviceId: auth.deviceId,
    connId,
    room: userRoom(claims.userId),
    issuedAt: claims.issuedAt,
    tokenId: claims.tokenId,
    validUntil: claims.validUntil,
    flood: createFloodGuard(deps.flood, Date.now()),
    connectedAt: devices.find((d) => d.deviceId === auth.deviceId)?.connectedAt ?? Date.now(),
    retentionMs: retention,
    protocol: auth.protocol,
    subscribed: null,
    inFlight: 0,
  };
  deps.connectedDevices.set(socket, devices);
}

type Conn = GatewaySocket['conn'];

async function gated(socket: GatewaySocket, deps: Deps): Promise<void> {
  const ip = clientAddress(socket.handshake.headers, socket.handshake.address, deps.trustProxy);
  const entered = deps.gate.enter(ip);
  if (!entered) throw new SyncError('unavailable', 'too many handshakes on this node; retry with backoff');
  const release = await entered;
  try {
    if (socket.conn.readyState !== 'open') throw new SyncError('unavailable', 'connection closed during handshake');
    await admit(socket, deps);
  } finally {
    release();
  }
}

/**
 * socket.io middleware: validates auth, verifies the token, registers the device; refusals carry
 * `{code, message}`. One CONNECT per engine.io connection (the SDK opens one connection per session), and a
 * refused CONNECT closes the connection: a client cannot pipeline handshakes to make the node verify tokens
 * in a loop, or carry many users' sockets on one connection.
 */
export function createHandshakeMiddleware(options: HandshakeDeps) {
  const deps: Deps = { ...options, connecting: new Map() };
  const attempted = new WeakSet<Conn>();
  const refuse = (socket: GatewaySocket, next: (err?: ExtendedError) => void, err: unknown) => {
    const wire = toWireError(err);
    deps.metrics.handshakesRefused.inc({ code: wire.code });
    if (wire.code === 'internal') deps.logger.error({ err }, 'handshake failed');
    else deps.logger.debug({ code: wire.code, reason: wire.message }, 'handshake refused');
    next(refusal(wire));
    // socket.io writes CONNECT_ERROR on the next tick; close() then waits for it to be flushed.
    const conn = socket.conn;
    setImmediate(() => conn.close());
  };
  return (socket: GatewaySocket, next: (err?: ExtendedError) => void): void => {
    if (attempted.has(socket.conn)) {
      // Pipelined CONNECTs: close at once, so engine.io drops the rest unread (the first one's answer too).
      socket.conn.close();
      deps.metrics.handshakesRefused.inc({ code: 'bad_request' });
      next(refusal({ code: 'bad_request', message: 'one CONNECT per connection' }));
      return;
    }
    attempted.add(socket.conn);
    gated(socket, deps).then(
      () => next(),
      (err: unknown) => refuse(socket, next, err),
    );
  };
}

import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { LIMITS, type Device } from '../../client-sdk/src/protocol/index.ts';
import { createDevTokenSigner } from '../auth/dev-token-signer.ts';
import { createTokenVerifier } from '../auth/token-verifier.ts';
import type { Config } from '../config.ts';
import type { Engine } from '../engine/engine.ts';
import { createHttpRoutes } from '../http/http-routes.ts';
import { createStaticFiles } from '../http/static-files.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createBackendLive, type BackendLive } from './backend-live.ts';
import { changeEnvelope, createPubSubAdapter, roomSubscriptionBarrier, type AdapterMode, type PubSubClients } from './adapter.ts';
import { createAdmission, createOriginPolicy, gateUpgrades } from './admission.ts';
import { attachDispatcher } from './dispatcher.ts';
import { createInFlight } from './in-flight.ts';
import { drainSockets } from './drain.ts';
import { createExpiryWheel } from './expiry-wheel.ts';
import { retentionMs } from '../domain/retention.ts';
import { createOfferVerifier } from '../offers/offer-verifier.ts';
import { createHandlers } from './handlers.ts';
import { createSendBudget, MAX_PENDING_PACKETS } from './send-buffer-guard.ts';
import { guardHeartbeat } from './heartbeat-guard.ts';
import { createHandshakeMiddleware } from './handshake.ts';
import { createHandshakeGate } from './handshake-gate.ts';
import { startPresence } from './presence.ts';
import { startStoreLossWatch } from './store-loss-watch.ts';
import { startFanoutResync } from './fanout-resync.ts';
import { createResync } from './resync.ts';
import { createRevocation } from './revocation.ts';
import { createRevocationCheck } from './revocation-check.ts';
import { userRoom } from './rooms.ts';
import { createHandoff } from './handoff.ts';
import { createSupersede } from './supersede.ts';
import { createDevicesPusher } from './devices-pusher.ts';
import { endSession } from './session-ending.ts';
import { sessionOf, type GatewayServer, type GatewaySocket } from './session.ts';

export interface GatewayOptions {
  config: Config;
  engine: Engine;
  logger: Logger;
  metrics: Metrics;
  /** Redis connections for cross-node fan-out; without them the node is alone (memory engine). */
  pubsub?: PubSubClients & { mode: AdapterMode };
  /** Registers a call for each re-connect of the store's commands connection (see Infrastructure). */
  onStoreReconnected?: (listener: () => void) => void;
}

export interface Gateway {
  readonly httpServer: HttpServer;
  /** Starts listening on the configured host and port; resolves with the bound port. */
  listen(): Promise<number>;
  /** Whether a drain has begun (handshakes refused, /readyz 503). */
  readonly draining: boolean;
  /** How the admin API pushes to a user's devices and ends their sessions, on every node. */
  readonly live: BackendLive;
  /** Drains (SIGTERM): hints every client to reconnect elsewhere; resolves when empty or at the drain timeout. */
  drain(): Promise<'empty' | 'timeout'>;
  /** Closes every socket and the server; waits for the device bookkeeping of closed sockets. */
  close(): Promise<void>;
}

/** socket.io on WebSocket only, authenticated, one dispatcher per socket, fan-out to user rooms. */
export function createGateway(options: GatewayOptions): Gateway {
  const { config, engine, logger, metrics } = options;
  const verifier = createTokenVerifier(config.jwt);
  let draining = false;
  let drainPromise: Promise<'empty' | 'timeout'> | null = null;
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const originAllowed = createOriginPolicy(config.corsOrigins, config.security.trustProxy);
  const admission = createAdmission({ originAllowed, isDraining: () => draining });
  const { http } = config.security;
  const httpServer = createServer(
    {
      // Slow clients (slowloris) hold a connection only this long; Node checks the timers every interval.
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      keepAliveTimeout: http.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(http.headersTimeoutMs / 4)),
    },
    createHttpRoutes({
      nodeId: config.nodeId,
      engine,
      metrics,
      logger,
      isDraining: () => draining,
      devTokens: config.devTokens ? createDevTokenSigner(config.jwt) : null,
      isOriginAllowed: originAllowed,
      staticFiles: createStaticFiles(config.demoDir),
    }),
  );
  if (http.maxConnections > 0) httpServer.maxConnections = http.maxConnections;

  const io: GatewayServer = new Server(httpServer, {
    transports: ['websocket'],
    // A frame holds a push at its byte bound with room to spare: a push somewhat past the bound still gets a
    // typed `bad_request`; only a frame past this closes the connection (code 1009).
    maxHttpBufferSize: 2 * LIMITS.pushBytes,
    pingInterval: config.ping.intervalMs,
    pingTimeout: config.ping.timeoutMs,
    connectTimeout: 10_000,
    serveClient: false,
    allowRequest: (req, callback) => {
      const verdict = admission(req);
      callback(verdict.ok ? null : verdict.message, verdict.ok);
    },
    ...(options.pubsub ? { adapter: createPubSubAdapter(options.pubsub, options.pubsub.mode) } : {}),
  });
  gateUpgrades(httpServer, admission);

  // N connects and disconnects of one user within the window cost one push, not N.
  const devicesPusher = createDevicesPusher({
    emit: (room: string, devices: Device[]) => {
      io.to(room).emit('devices', { devices });
      metrics.fanout.inc({ event: 'devices' });
    },
  });
  const pushDevices = devicesPusher.push;
  const wheel = createExpiryWheel<GatewaySocket>({ onExpire: (socket) => endSession(socket, 'token_expired', { metrics }) });
  const revocation = createRevocation({
    io,
    metrics,
    logger,
    crossNode: options.pubsub !== undefined,
    onDeviceSignedOut: (s) =>
      void engine.revoke(s.userId, { deviceId: s.deviceId, token: { id: s.tokenId, until: s.validUntil }, retentionMs: s.retentionMs }).catch((err: unknown) => logger.warn({ err, userId: s.userId }, 'could not revoke the token of a signed-out device')),
  });
  const recheckRevocations = createRevocationCheck({ io, engine, metrics, logger });
  const supersede = createSupersede({ io, metrics, logger, crossNode: options.pubsub !== undefined });
  const handoff = createHandoff({ io, engine, logger, crossNode: options.pubsub !== undefined });
  // With the sharded adapter the Redis engine publishes each change from its mutation script: one round trip less.
  const fanoutEnvelope = options.pubsub?.mode === 'sharded' && engine.kind === 'redis' ? changeEnvelope : undefined;
  const prices = config.domain.prices;
  const handlers = createHandlers({
    engine,
    verifier,
    nodeId: config.nodeId,
    metrics,
    logger,
    wheel,
    revocation,
    watchRules: config.watch,
    handoff,
    ...(fanoutEnvelope ? { fanoutEnvelope } : {}),
    ...(prices.mode === 'signed' ? { offers: createOfferVerifier(prices.secret) } : {}),
  });
  const live = createBackendLive({ io, metrics, revocation, ...(fanoutEnvelope ? { fanoutEnvelope } : {}) });
  const presence = startPresence({ io, engine, logger, pushDevices, recheck: recheckRevocations });
  // Redis coming back can mean both a lost store and missed pushes: one resync asks each socket once.
  const resync = createResync({ io, metrics });
  const storeLoss = startStoreLossWatch({ engine, logger, resync, metrics });
  // Checked at once when the connection comes back, not at the next tick: devices that reconnect to this node
  // meanwhile would otherwise sync against the new store, then be asked to reconnect again.
  options.onStoreReconnected?.(() => void storeLoss.check());
  // Revoke signals published while the subscriber was away are lost: re-check the sessions before the resync.
  const afterSubscriberBack = async () => {
    await recheckRevocations().catch((err: unknown) => logger.warn({ err }, 'revocation re-check failed'));
    await storeLoss.check();
  };
  if (options.pubsub) startFanoutResync({ sub: options.pubsub.sub, logger, resync, before: afterSubscriberBack });
  const connectedDevices = new WeakMap<GatewaySocket, Device[]>();
  const inFlight = createInFlight();
  const barrier = options.pubsub ? roomSubscriptionBarrier(options.pubsub, options.pubsub.mode) : null;
  const flood = { perSecond: config.rateLimit.perSecond * 2, burst: config.rateLimit.burst * 2 };

  const gate = createHandshakeGate(config.security.handshake);
  const sendBudget = createSendBudget({ maxPackets: MAX_PENDING_PACKETS, maxBytes: config.security.sendBuffer.maxBytes, nodeMaxBytes: config.security.sendBuffer.nodeMaxBytes });
  const socketsOf = (userId: string) => io.of('/').adapter.rooms.get(userRoom(userId))?.size ?? 0;
  io.use(
    createHandshakeMiddleware({
      engine,
      verifier,
      nodeId: config.nodeId,
      logger,
      metrics,
      flood,
      connectedDevices,
      gate,
      trustProxy: config.security.trustProxy,
      socketsOf,
      maxSocketsPerUser: config.security.maxSocketsPerUser,
      retentionOf: (userId, guest) => retentionMs(config.domain.retention, userId, guest),
      authCookieName: config.authCookieName,
    }),
  );

  io.on('connection', (socket) => {
    const session = sessionOf(socket);
    // socket.handshake already holds what we need; the raw request costs ~4 KB per idle connection.
    (socket.conn as { request: unknown }).request = null;
    // Handlers are attached synchronously, before any await, so no early request is missed.
    attachDispatcher(socket, { handlers, metrics, logger, inFlight });
    sendBudget.guard(socket, (cut) => {
      metrics.sessionsEnded.inc({ reason: 'slow_consumer' });
      logger.warn({ userId: session.userId, deviceId: session.deviceId, ...cut }, 'slow consumer: send buffer full, connection closed');
    });
    guardHeartbeat(socket, () => {
      metrics.sessionsEnded.inc({ reason: 'unsolicited_pong' });
      logger.warn({ userId: session.userId, deviceId: session.deviceId }, 'pong without a ping (a client that does not read): connection closed');
    });
    socket.on('error', (err) => logger.debug({ err, userId: session.userId }, 'socket error'));
    socket.on('disconnect', (reason) => {
      metrics.connections.dec();
      wheel.remove(socket);
      logger.debug({ userId: session.userId, deviceId: session.deviceId, reason }, 'disconnected');
      track(
        engine.disconnectDevice(session.userId, session.deviceId, session.connId).then(
          (devices) => devices && pushDevices(session.room, devices),
          (err: unknown) => logger.warn({ err, userId: session.userId }, 'could not mark device offline'),
        ),
      );
    });
    void socket.join(session.room);
    if (barrier) {
      session.subscribed = barrier(session.room).then(
        () => {
          session.subscribed = null;
        },
        (err: unknown) => logger.warn({ err, room: session.room }, 'room subscription not confirmed'),
      );
    }
    metrics.connections.inc();
    supersede.announce(socket);
    wheel.schedule(socket, session.validUntil);
    const devices = connectedDevices.get(socket);
    connectedDevices.delete(socket);
    if (devices) pushDevices(session.room, devices);
    logger.debug({ userId: session.userId, deviceId: session.deviceId }, 'connected');
  });

  return {
    httpServer,
    live,
    get draining() {
      return draining;
    },
    listen() {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve((httpServer.address() as AddressInfo).port);
        });
      });
    },
    drain() {
      if (drainPromise) return drainPromise;
      draining = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.drain.timeoutMs);
      });
      const empty = drainSockets({ io, metrics, windowMs: config.drain.windowMs }).then(() => 'empty' as const);
      drainPromise = Promise.race([empty, timeout]).finally(() => clearTimeout(timer));
      return drainPromise;
    },
    async close() {
      draining = true;
      presence.stop();
      devicesPusher.stop();
      storeLoss.stop();
      wheel.stop();
      let timer: NodeJS.Timeout | undefined;
      // The adapter unsubscribes through Redis on close; a dead Redis must not hold the exit.
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 3000);
      });
      await Promise.race([io.close().catch(() => {}), bound]);
      await Promise.race([Promise.allSettled([...pending]), bound]);
      clearTimeout(timer);
      if (httpServer.listening) httpServer.close();
    },
  };
}

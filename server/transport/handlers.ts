import {
  PAGED_SYNC_PROTOCOL,
  type Mutation,
  type MutationEvent,
  type MutationResult,
  type RequestEvent,
  type RequestOf,
  type ResultOf,
  type WatchRules,
} from '../../client-sdk/src/protocol/index.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { Actor, Engine, FanoutEnvelope, Reader, StoreMutationResult } from '../engine/engine.ts';
import { SyncError, toWireError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { OfferVerifier } from '../offers/offer-verifier.ts';
import type { ExpiryWheel } from './expiry-wheel.ts';
import type { Handoff } from './handoff.ts';
import type { Revocation } from './revocation.ts';
import { endSession } from './session-ending.ts';
import type { GatewaySocket, Session } from './session.ts';

/** What a handler gets besides its validated request. */
export interface RequestScope {
  socket: GatewaySocket;
  session: Session;
  /** Runs `fn` once the ack has been written (e.g. ending the caller's own session after a sign-out). */
  afterAck(fn: () => void): void;
}

export type Handler<E extends RequestEvent> = (scope: RequestScope, request: RequestOf<E>) => Promise<ResultOf[E]>;
export type Handlers = { [E in RequestEvent]: Handler<E> };

export interface HandlerDeps {
  engine: Engine;
  verifier: TokenVerifier;
  nodeId: string;
  metrics: Metrics;
  logger: Logger;
  wheel: ExpiryWheel<GatewaySocket>;
  revocation: Revocation;
  /** With `CART_PRICES=signed`: every cart:add must carry a valid offer, whose values it takes. */
  offers?: OfferVerifier;
  /** Set when the store publishes the fan-out itself (Redis engine with the sharded adapter). */
  fanoutEnvelope?: (room: string, exceptSocketId: string) => FanoutEnvelope;
  /** The engine's resume rules, told to clients that speak protocol 3 in every sync answer. */
  watchRules: WatchRules;
  handoff: Handoff;
}

/** Pub/sub is a hint: with Redis away, a sync answers after this long rather than never. */
const SUBSCRIBE_WAIT_MS = 2000;

function withinMs(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

// Reads are checked against revocation in the store's own step (see Reader), not only by the revoke signal.
const readerOf = (s: Session): Reader => ({ deviceId: s.deviceId, issuedAt: s.issuedAt, tokenId: s.tokenId });
const actorOf = (s: Session): Actor => ({ userId: s.userId, deviceId: s.deviceId, connId: s.connId, issuedAt: s.issuedAt, retentionMs: s.retentionMs });

export function createHandlers(deps: HandlerDeps): Handlers {
  const { engine, metrics } = deps;
  // A socket's envelope never changes (its room and id are fixed): built once, on its first mutation.
  const envelopes = new WeakMap<GatewaySocket, FanoutEnvelope>();
  const envelopeOf = (socket: GatewaySocket, room: string): FanoutEnvelope | undefined => {
    if (!deps.fanoutEnvelope) return undefined;
    let envelope = envelopes.get(socket);
    if (!envelope) {
      envelope = deps.fanoutEnvelope(room, socket.id);
      envelopes.set(socket, envelope);
    }
    return envelope;
  };

  const mutation =
    <E extends MutationEvent>(event: E): Handler<E> =>
    async ({ socket, session }, request) => {
      // The request was validated against this event's schema, so the pair is a Mutation.
      const envelope = envelopeOf(socket, session.room);
      return fanOut(socket, session, await engine.mutate(actorOf(session), prepare({ event, request } as Mutation, session), envelope));
    };

  /** A signed offer in a cart add is checked and turned into its price before the engine sees it. */
  const prepare = (body: Mutation, session: Session): Mutation =>
    deps.offers && body.event === 'cart:add' ? { event: 'cart:add', request: deps.offers.apply(body.request, session.userId) } : body;

  // The sender learns the change from its ack; every other device of the user, on any node, gets a push.
  // A duplicate's `unpushed` change (see StoreMutationResult) goes to the sender too: its ack carries no change.
  const fanOut = (socket: GatewaySocket, session: Session, { published, unpushed, ...result }: StoreMutationResult): MutationResult => {
    if (result.change) {
      if (!published) socket.to(session.room).emit('change', result.change);
      metrics.fanout.inc({ event: 'change' });
    } else if (unpushed) {
      socket.nsp.to(session.room).emit('change', unpushed);
      metrics.fanout.inc({ event: 'change' });
    }
    return result;
  };

  return {
    'cart:add': mutation('cart:add'),
    'cart:set': mutation('cart:set'),
    'cart:remove': mutation('cart:remove'),
    'cart:clear': mutation('cart:clear'),
    'watch:report': mutation('watch:report'),
    'watch:remove': mutation('watch:remove'),

    async 'mutations:push'({ socket, session, afterAck }, request) {
      // A refusal before the engine (an offer that does not verify) ends the push there, like any other.
      const prepared: Mutation[] = [];
      let refused: SyncError | undefined;
      for (const item of request.mutations) {
        try {
          prepared.push(prepare(item, session));
        } catch (err) {
          if (!(err instanceof SyncError)) throw err;
          refused = err;
          break;
        }
      }
      const envelope = envelopeOf(socket, session.room);
      const outcome = prepared.length > 0 ? await engine.mutateBatch(actorOf(session), prepared, envelope) : { results: [] };
      const { results } = outcome;
      const error = outcome.error ?? refused;
      const answers = results.map((result) => fanOut(socket, session, result));
      metrics.pushedMutations.inc({ outcome: 'applied' }, answers.length);
      if (!error) return { results: answers, applied: answers.length };
      metrics.pushedMutations.inc({ outcome: error.code });
      // As for a single mutation: the engine refuses writes of revoked sessions even if the signal never came.
      if (error.code === 'unauthorized') afterAck(() => endSession(socket, 'revoked', { metrics }));
      return { results: answers, applied: answers.length, error: toWireError(error) };
    },

    async 'sync:since'({ session }, request) {
      if (session.subscribed) await withinMs(session.subscribed, SUBSCRIBE_WAIT_MS);
      const paged = session.protocol >= PAGED_SYNC_PROTOCOL;
      const { sync, devices, newlyLost } = await engine.resume(session.userId, request.since, { reader: readerOf(session), paged });
      if (sync.kind === 'snapshot' && sync.reset && newlyLost > 0) {
        // The engine counts each lost version once per user, whichever node or device finds it.
        metrics.lostChanges.inc(newlyLost);
        const { epoch, fromVersion, toVersion } = sync.reset;
        deps.logger.warn(
          { userId: session.userId, lost: newlyLost, epoch, fromVersion, toVersion, newEpoch: sync.epoch, version: sync.version },
          'the store went back in time: acknowledged changes of this user are lost',
        );
      }
      const rules = session.protocol >= 3 ? { watchRules: deps.watchRules } : {};
      return { nodeId: deps.nodeId, serverTime: Date.now(), sync, devices, ...rules };
    },

    'playback:handoff': ({ session }, request) => deps.handoff.send(session, request),

    async 'devices:list'({ session }) {
      return { devices: await engine.readDevices(session.userId, readerOf(session)) };
    },

    async 'auth:refresh'({ socket, session }, request) {
      await engine.takeRateToken(session.userId);
      const claims = await deps.verifier.verify(request.token);
      if (claims.userId !== session.userId) throw new SyncError('unauthorized', 'token is for another user');
      if (claims.deviceId !== null && claims.deviceId !== session.deviceId) {
        throw new SyncError('unauthorized', 'token is bound to another device');
      }
      if (await engine.isRevoked(session.userId, session.deviceId, claims.issuedAt, claims.tokenId)) {
        throw new SyncError('unauthorized', 'session revoked');
      }
      session.issuedAt = claims.issuedAt;
      session.tokenId = claims.tokenId;
      session.validUntil = claims.validUntil;
      deps.wheel.schedule(socket, claims.validUntil);
      return { expiresAt: claims.expiresAt };
    },

    async 'auth:sign-out'({ session, afterAck }, request) {
      if (request.scope === 'everywhere' && request.deviceId !== undefined) {
        throw new SyncError('bad_request', 'deviceId only goes with scope "device"');
      }
      await engine.takeRateToken(session.userId);
      const deviceId = request.scope === 'device' ? (request.deviceId ?? session.deviceId) : null;
      // Signing this device out revokes the token itself too: without `did` it could come back as another device.
      const own = deviceId === session.deviceId ? { token: { id: session.tokenId, until: session.validUntil } } : {};
      const retention = { retentionMs: session.retentionMs };
      const revokedAt = await engine.revoke(session.userId, deviceId === null ? retention : { deviceId, ...own, ...retention });
      afterAck(() => deps.revocation.broadcast({ userId: session.userId, deviceId, revokedAt }));
      return { revokedAt };
    },
  };
}

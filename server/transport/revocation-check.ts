import type { Engine, SessionRef } from '../engine/engine.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { endSession } from './session-ending.ts';
import type { GatewayServer, GatewaySocket } from './session.ts';

/**
 * Re-checks every session of this node against the store's revocation marks and ends the revoked ones.
 * The revoke signal travels over pub/sub, which can lose it (a subscriber that reconnected, Redis away):
 * running this on every presence tick and after the subscriber comes back bounds how long a revoked session
 * can go on reading to one tick.
 */
export function createRevocationCheck(deps: { io: GatewayServer; engine: Engine; metrics: Metrics; logger: Logger }): () => Promise<number> {
  return async () => {
    const sockets: GatewaySocket[] = [];
    const refs: SessionRef[] = [];
    for (const socket of deps.io.of('/').sockets.values()) {
      const s = socket.data.session;
      if (!s) continue;
      sockets.push(socket);
      refs.push({ userId: s.userId, deviceId: s.deviceId, issuedAt: s.issuedAt, tokenId: s.tokenId });
    }
    if (refs.length === 0) return 0;
    const revoked = await deps.engine.revokedSessions(refs);
    let ended = 0;
    for (const i of revoked) {
      const socket = sockets[i];
      if (socket && endSession(socket, 'revoked', { metrics: deps.metrics })) ended += 1;
    }
    if (ended > 0) deps.logger.warn({ sessions: ended }, 'revocation re-check ended sessions the revoke signal had not reached');
    return ended;
  };
}

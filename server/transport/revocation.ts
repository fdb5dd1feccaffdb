import { z } from 'zod';
import { DeviceId, Millis, UserId } from '../protocol/zod.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { userRoom } from './rooms.ts';
import { endSession } from './session-ending.ts';
import type { GatewayServer, Session } from './session.ts';

const RevokeSignal = z.strictObject({
  userId: UserId,
  deviceId: DeviceId.nullable(),
  revokedAt: Millis,
  /** `erased`: the user's data is gone; every session of the user ends, whenever its token was issued. */
  reason: z.enum(['revoked', 'erased']).optional(),
});
export type RevokeSignal = z.infer<typeof RevokeSignal>;

export interface Revocation {
  /** Ends the matching sessions on this node and asks every other node to do the same. */
  broadcast(signal: RevokeSignal): void;
}

export function createRevocation(deps: {
  io: GatewayServer;
  metrics: Metrics;
  logger: Logger;
  crossNode: boolean;
  /** A session of a signed-out device ended here: its token is revoked too (it could claim another deviceId). */
  onDeviceSignedOut?: (session: Session) => void;
}): Revocation {
  const { io } = deps;

  const endLocal = (signal: RevokeSignal) => {
    const ids = io.of('/').adapter.rooms.get(userRoom(signal.userId));
    if (!ids) return;
    for (const id of [...ids]) {
      const socket = io.of('/').sockets.get(id);
      const session = socket?.data.session;
      if (!socket || !session) continue;
      if (signal.deviceId !== null && session.deviceId !== signal.deviceId) continue;
      if (signal.reason === 'erased') {
        endSession(socket, 'erased', { metrics: deps.metrics });
        continue;
      }
      // A session started (or refreshed) with a token issued after the sign-out stays.
      if (session.issuedAt >= signal.revokedAt) continue;
      if (endSession(socket, 'revoked', { metrics: deps.metrics }) && signal.deviceId !== null) deps.onDeviceSignedOut?.(session);
    }
  };

  // Revocations made on other nodes, relayed by the adapter.
  io.on('revoke', (raw: unknown) => {
    const signal = RevokeSignal.safeParse(raw);
    if (signal.success) endLocal(signal.data);
    else deps.logger.warn('ignored a malformed revoke signal');
  });

  return {
    broadcast(signal) {
      endLocal(signal);
      if (deps.crossNode) io.serverSideEmit('revoke', signal);
    },
  };
}

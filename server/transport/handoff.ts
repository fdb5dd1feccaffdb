import { z } from 'zod';
import { PlaybackHandoff, type PlaybackHandoffRequest } from '../../client-sdk/src/protocol/index.ts';
import { DeviceId, UserId, toZod } from '../protocol/zod.ts';
import type { Engine } from '../engine/engine.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { userRoom } from './rooms.ts';
import type { GatewayServer, Session } from './session.ts';

/** How long a target's client has to acknowledge a handoff; below the adapter's 5 s for a cross-node answer. */
export const HANDOFF_ACK_MS = 3000;

/** What a node asks the others: deliver `handoff` to `deviceId` of `userId` if it holds its socket. */
const HandoffSignal = z.strictObject({ userId: UserId, deviceId: DeviceId, handoff: toZod(PlaybackHandoff) });
type HandoffSignal = z.infer<typeof HandoffSignal>;

export interface Handoff {
  /**
   * Delivers "continue this video" to one other online device of the session's user, on whichever node holds
   * it, and resolves once that device's client acknowledged it; `not_found` when the device is unknown, offline
   * or does not answer. Nothing is stored: the handoff lives only while it is in flight.
   */
  send(session: Session, request: PlaybackHandoffRequest): Promise<{ deliveredAt: number }>;
}

export function createHandoff(deps: { io: GatewayServer; engine: Engine; logger: Logger; crossNode: boolean; ackTimeoutMs?: number }): Handoff {
  const { io } = deps;
  const ackMs = deps.ackTimeoutMs ?? HANDOFF_ACK_MS;

  /** Whether a socket of the device on this node took the handoff (a superseded one may linger: any will do). */
  const deliverLocal = async (signal: HandoffSignal): Promise<boolean> => {
    const ids = io.of('/').adapter.rooms.get(userRoom(signal.userId));
    if (!ids) return false;
    const targets = [...ids].flatMap((id) => {
      const socket = io.of('/').sockets.get(id);
      return socket && socket.data.session?.deviceId === signal.deviceId ? [socket] : [];
    });
    const acks = await Promise.all(
      targets.map((socket) =>
        socket
          .timeout(ackMs)
          .emitWithAck('playback:handoff', signal.handoff)
          .then((receipt) => receipt?.ok === true, () => false),
      ),
    );
    return acks.includes(true);
  };

  /** Asks every other node; true when one of them delivered it (a node that does not answer counts as not). */
  const deliverElsewhere = (signal: HandoffSignal): Promise<boolean> =>
    new Promise((resolve) => {
      io.serverSideEmit('handoff', signal, (_err: Error | null, answers: unknown[]) => resolve(Array.isArray(answers) && answers.includes(true)));
    });

  io.on('handoff', (raw: unknown, answer?: unknown) => {
    const reply = typeof answer === 'function' ? (answer as (delivered: boolean) => void) : () => {};
    const signal = HandoffSignal.safeParse(raw);
    if (!signal.success) {
      deps.logger.warn('ignored a malformed handoff signal');
      reply(false);
      return;
    }
    void deliverLocal(signal.data).then(reply, () => reply(false));
  });

  return {
    async send(session, request) {
      if (request.deviceId === session.deviceId) throw new SyncError('bad_request', 'deviceId: must be another device of the user, not this one');
      // One step of the store, as devices:list: refuses a revoked session, takes a rate token, lists the devices,
      // which settle the common refusals without asking every node.
      const reader = { deviceId: session.deviceId, issuedAt: session.issuedAt, tokenId: session.tokenId };
      const target = (await deps.engine.readDevices(session.userId, reader)).find((d) => d.deviceId === request.deviceId);
      if (!target) throw new SyncError('not_found', `no device ${request.deviceId} for this user`);
      if (!target.online) throw new SyncError('not_found', `device ${request.deviceId} is offline`);
      const handoff: PlaybackHandoff = { fromDeviceId: session.deviceId, videoId: request.videoId, positionSec: request.positionSec, at: Date.now() };
      const signal = { userId: session.userId, deviceId: request.deviceId, handoff };
      const delivered = (await deliverLocal(signal)) || (deps.crossNode && (await deliverElsewhere(signal)));
      if (!delivered) throw new SyncError('not_found', `device ${request.deviceId} did not take the handoff (not connected)`);
      return { deliveredAt: Date.now() };
    },
  };
}

import { z } from 'zod';
import { DeviceId, Millis, UserId } from '../protocol/zod.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { userRoom } from './rooms.ts';
import { endSession } from './session-ending.ts';
import { sessionOf, type GatewayServer, type GatewaySocket, type Session } from './session.ts';

const SupersedeSignal = z.strictObject({ userId: UserId, deviceId: DeviceId, connId: z.string().min(1).max(64), connectedAt: Millis });
type SupersedeSignal = z.infer<typeof SupersedeSignal>;

type Registration = Pick<Session, 'connId' | 'connectedAt'>;

/** Whether connection `a` is older than `b` (ties broken by connId, the same on every node). */
function olderThan(a: Registration, b: Registration): boolean {
  if (a.connId === b.connId) return false;
  if (a.connectedAt !== b.connectedAt) return a.connectedAt < b.connectedAt;
  return a.connId < b.connId;
}

export interface Supersede {
  /**
   * A socket just connected: ends the older connections of its device here and on every other node, or
   * this socket itself when a newer connection of the device was announced while it was still connecting.
   */
  announce(socket: GatewaySocket): void;
}

/** Newest connection announced per device, kept for sockets still in their handshake when it came. */
const REMEMBERED = 10_000;

/**
 * One device, one connection: the store already refuses writes from a superseded connection (`conflict`);
 * closing it also stops its reads and pushes, and keeps N handshakes of one device from holding N sockets.
 */
export function createSupersede(deps: { io: GatewayServer; metrics: Metrics; logger: Logger; crossNode: boolean }): Supersede {
  const { io } = deps;

  const newest = new Map<string, SupersedeSignal>();
  const remember = (signal: SupersedeSignal) => {
    const key = `${signal.userId}\n${signal.deviceId}`;
    const known = newest.get(key);
    if (known && !olderThan(known, signal)) return;
    newest.delete(key);
    newest.set(key, signal);
    // Insertion order: the first keys are the ones announced longest ago.
    for (const old of newest.keys()) {
      if (newest.size <= REMEMBERED) break;
      newest.delete(old);
    }
  };

  const endLocal = (signal: SupersedeSignal) => {
    remember(signal);
    const ids = io.of('/').adapter.rooms.get(userRoom(signal.userId));
    if (!ids) return;
    for (const id of [...ids]) {
      const socket = io.of('/').sockets.get(id);
      const session = socket?.data.session;
      if (!socket || !session || session.deviceId !== signal.deviceId || !olderThan(session, signal)) continue;
      endSession(socket, 'superseded', { metrics: deps.metrics });
    }
  };

  io.on('supersede', (raw: unknown) => {
    const signal = SupersedeSignal.safeParse(raw);
    if (signal.success) endLocal(signal.data);
    else deps.logger.warn('ignored a malformed supersede signal');
  });

  return {
    announce(socket) {
      const session = sessionOf(socket);
      const known = newest.get(`${session.userId}\n${session.deviceId}`);
      if (known && olderThan(session, known)) {
        endSession(socket, 'superseded', { metrics: deps.metrics });
        return;
      }
      const signal = { userId: session.userId, deviceId: session.deviceId, connId: session.connId, connectedAt: session.connectedAt };
      endLocal(signal);
      if (deps.crossNode) io.serverSideEmit('supersede', signal);
    },
  };
}

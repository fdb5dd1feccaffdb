import type { Change, Device } from '../../client-sdk/src/protocol/index.ts';
import type { FanoutEnvelope } from '../engine/engine.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Revocation } from './revocation.ts';
import { userRoom } from './rooms.ts';
import type { GatewayServer } from './session.ts';

/** How the admin API reaches a user's devices on every node: the same rooms and pushes as a device's change. */
export interface BackendLive {
  /** The envelope for the store to publish changes itself (Redis with the sharded adapter), else undefined. */
  envelope(userId: string): FanoutEnvelope | undefined;
  /** Pushes committed changes the store did not publish to every device of the user. */
  changes(userId: string, changes: readonly Change[]): void;
  devices(userId: string, devices: Device[]): void;
  /** Ends the user's sessions issued before `revokedAt` (one device or all) on every node. */
  revoke(userId: string, deviceId: string | null, revokedAt: number): void;
  /** Ends every session of the user on every node with `session:ending` reason `erased`. */
  erased(userId: string): void;
}

export function createBackendLive(deps: {
  io: GatewayServer;
  metrics: Metrics;
  revocation: Revocation;
  fanoutEnvelope?: (room: string, exceptSocketId: string) => FanoutEnvelope;
}): BackendLive {
  const { io, metrics } = deps;
  return {
    envelope(userId) {
      // No socket to leave out: the backend is not one of the user's devices.
      return deps.fanoutEnvelope?.(userRoom(userId), '');
    },
    changes(userId, changes) {
      const room = io.to(userRoom(userId));
      for (const change of changes) {
        room.emit('change', change);
        metrics.fanout.inc({ event: 'change' });
      }
    },
    devices(userId, devices) {
      io.to(userRoom(userId)).emit('devices', { devices });
      metrics.fanout.inc({ event: 'devices' });
    },
    revoke(userId, deviceId, revokedAt) {
      deps.revocation.broadcast({ userId, deviceId, revokedAt });
    },
    erased(userId) {
      deps.revocation.broadcast({ userId, deviceId: null, revokedAt: Date.now(), reason: 'erased' });
    },
  };
}

import { io } from 'socket.io-client';
import { benchChange, type Driver } from './driver.ts';
import { timeout } from '../../../test/support/timing.ts';

/** Devices of the socket.io relay (either adapter): one socket.io-client connection each (`forceNew`). */
export function createSocketIoDriver(): Driver {
  return {
    kind: 'socketio',
    cumulative: false,
    async connect(spec, events) {
      const socket = io(spec.url, {
        forceNew: true,
        transports: ['websocket'],
        reconnection: false,
        auth: { user: spec.userId },
      });
      await timeout(
        new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        }),
        10_000,
        `socket.io connect ${spec.deviceId}`,
      );
      socket.on('change', (change: { deviceId: string; seq: number }) => {
        events.change(spec.deviceId, change.deviceId, change.seq);
      });
      socket.on('disconnect', (reason) => events.dropped(spec.deviceId, reason));
      return {
        deviceId: spec.deviceId,
        send(seq) {
          socket.emit('change', benchChange(spec.deviceId, seq));
        },
        close() {
          socket.off('disconnect');
          socket.disconnect();
        },
      };
    },
  };
}

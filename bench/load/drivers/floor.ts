import WebSocket from 'ws';
import { benchChange, type Driver } from './driver.ts';
import { timeout } from '../../../test/support/timing.ts';

/** Devices of the floor relay: one raw WebSocket each, JSON text frames. */
export function createFloorDriver(): Driver {
  return {
    kind: 'floor',
    cumulative: false,
    async connect(spec, events) {
      const ws = new WebSocket(`${spec.url}/?user=${encodeURIComponent(spec.userId)}`, { perMessageDeflate: false });
      await timeout(
        new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        }),
        10_000,
        `floor connect ${spec.deviceId}`,
      );
      ws.on('message', (data: Buffer) => {
        const change = JSON.parse(data.toString()) as { deviceId: string; seq: number };
        events.change(spec.deviceId, change.deviceId, change.seq);
      });
      ws.on('close', () => events.dropped(spec.deviceId, 'close'));
      ws.on('error', () => undefined);
      return {
        deviceId: spec.deviceId,
        send(seq) {
          ws.send(JSON.stringify(benchChange(spec.deviceId, seq)));
        },
        close() {
          ws.removeAllListeners('close');
          ws.terminate();
        },
      };
    },
  };
}

import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type Change, type ErrorAck, type MutationResult, type SyncResult } from '../../../client-sdk/src/protocol/index.ts';
import { mintToken } from '../../../test/support/gateway-process.ts';
import { BENCH_TITLE, skuOf, type DeviceSpec, type Driver } from './driver.ts';
import { timeout } from '../../../test/support/timing.ts';

export interface ProductDriverOptions {
  jwtSecret: string;
}

type Ack<T> = ({ ok: true } & T) | ErrorAck;

/**
 * One device of our product, spoken to with the raw socket.io client and the protocol module (no SDK):
 * handshake with a JWT, `sync:since`, then `cart:add` with the device's seq; pushes arrive as `change`.
 * Keeps the last version it saw, so it can catch up after a reconnect.
 */
export interface ProductDevice {
  readonly spec: DeviceSpec;
  readonly socket: Socket;
  epoch: string | null;
  version: number;
  /** When the last `open` got its connection and its sync answer (performance.now()). */
  opened: { connectedAt: number; syncedAt: number };
  /** Connects (to `url`, default the spec's), then syncs from the last version; resolves with the sync answer. */
  open(url?: string): Promise<SyncResult>;
  add(seq: number, onAck: (ack: Ack<MutationResult>) => void): void;
  close(): void;
}

export interface ProductDeviceHooks {
  change?(change: Change): void;
  disconnect?(reason: string): void;
}

export async function createProductDevice(spec: DeviceSpec, options: ProductDriverOptions, hooks: ProductDeviceHooks): Promise<ProductDevice> {
  const token = await mintToken({ userId: spec.userId, deviceId: spec.deviceId, secret: options.jwtSecret, ttlSec: 3600 });
  let socket: Socket | null = null;
  const device: ProductDevice = {
    spec,
    get socket() {
      if (!socket) throw new Error('not connected');
      return socket;
    },
    epoch: null,
    version: 0,
    opened: { connectedAt: 0, syncedAt: 0 },
    async open(url = spec.url) {
      socket?.removeAllListeners();
      socket?.disconnect();
      const s = io(url, {
        forceNew: true,
        transports: ['websocket'],
        reconnection: false,
        auth: { token, deviceId: spec.deviceId, deviceKind: 'phone', deviceName: 'bench', protocol: PROTOCOL_VERSION },
      });
      socket = s;
      s.on('change', (change: Change) => {
        if (change.version > device.version) device.version = change.version;
        hooks.change?.(change);
      });
      s.on('disconnect', (reason) => hooks.disconnect?.(reason));
      await timeout(
        new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', (err: Error & { data?: unknown }) => reject(new Error(`${err.message} ${JSON.stringify(err.data ?? '')}`)));
        }),
        10_000,
        `product connect ${spec.deviceId}`,
      );
      device.opened.connectedAt = performance.now();
      const since = device.epoch === null ? null : { epoch: device.epoch, version: device.version };
      const answer = await timeout(
        new Promise<Ack<SyncResult>>((resolve) => s.emit('sync:since', { since }, resolve)),
        10_000,
        `product sync ${spec.deviceId}`,
      );
      device.opened.syncedAt = performance.now();
      if (!answer.ok) throw new Error(`sync:since refused: ${answer.error.code} ${answer.error.message}`);
      const sync = answer.sync;
      if (sync.epoch !== device.epoch) device.version = 0;
      device.epoch = sync.epoch;
      if (sync.kind === 'snapshot') device.version = Math.max(device.version, sync.version);
      else for (const change of sync.changes) device.version = Math.max(device.version, change.version);
      device.version = Math.max(device.version, sync.version);
      return answer;
    },
    add(seq, onAck) {
      const sku = skuOf(seq);
      socket?.emit('cart:add', { seq, sku, title: BENCH_TITLE, priceCents: 1999, qty: 1 }, (ack: Ack<MutationResult>) => {
        if (ack.ok && ack.version > device.version) device.version = ack.version;
        onAck(ack);
      });
    },
    close() {
      socket?.removeAllListeners();
      socket?.disconnect();
      socket = null;
    },
  };
  return device;
}

/** The generic driver over product devices, for the latency, throughput, memory and fan-out steps. */
export function createProductDriver(options: ProductDriverOptions): Driver {
  return {
    kind: 'product',
    cumulative: false,
    async connect(spec, events) {
      const device = await createProductDevice(spec, options, {
        change: (change) => events.change(spec.deviceId, change.deviceId, change.seq),
        disconnect: (reason) => events.dropped(spec.deviceId, reason),
      });
      await device.open();
      return {
        deviceId: spec.deviceId,
        send(seq) {
          device.add(seq, (ack) => {
            if (ack.ok) events.acked(spec.deviceId, seq);
            else events.failed(spec.deviceId, seq, ack.error.code);
          });
        },
        close: () => device.close(),
      };
    },
  };
}

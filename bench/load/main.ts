/**
 * The load process: holds every device of a benchmark (both ends of each pair, so one clock measures both)
 * and answers the benchmark's requests over IPC. Exits when the benchmark goes away.
 */
import { serveIpc } from '../harness/ipc.ts';
import type { Driver, DriverDevice, DriverKind, DeviceEvents, DeviceSpec } from './drivers/driver.ts';
import { createFloorDriver } from './drivers/floor.ts';
import { createHocuspocusDriver } from './drivers/hocuspocus.ts';
import { createSocketIoDriver } from './drivers/socketio.ts';
import { runPaced, type Flow, type PacedOptions } from './paced.ts';
import { createDeliveryTracker, type DeliveryTracker } from './tracker.ts';
import { createProductDriver, type ProductDriverOptions } from './drivers/product.ts';
import { createProductSdkDriver } from './drivers/product-sdk.ts';
import { runFailover, type FailoverRequest } from './failover.ts';

interface DeviceRecord {
  device: DriverDevice;
  driver: Driver;
  group: string;
  seq: number;
}

const devices = new Map<string, DeviceRecord>();
const drops = new Map<string, number>();
let tracker: DeliveryTracker | null = null;

const events: DeviceEvents = {
  change: (to, from, seq) => tracker?.received(to, from, seq),
  failed: (deviceId, seq, code) => tracker?.failed(deviceId, seq, code),
  acked: (deviceId, seq) => tracker?.acked(deviceId, seq),
  dropped: (deviceId) => {
    const group = devices.get(deviceId)?.group ?? '?';
    drops.set(group, (drops.get(group) ?? 0) + 1);
  },
};

function makeDriver(kind: DriverKind, options: ProductDriverOptions | undefined): Driver {
  switch (kind) {
    case 'floor':
      return createFloorDriver();
    case 'socketio':
      return createSocketIoDriver();
    case 'hocuspocus':
      return createHocuspocusDriver();
    case 'product':
    case 'product-sdk':
      if (!options) throw new Error('the product drivers need their options');
      return kind === 'product' ? createProductDriver(options) : createProductSdkDriver(options);
  }
}

export interface ConnectRequest {
  kind: DriverKind;
  product?: ProductDriverOptions;
  group: string;
  devices: DeviceSpec[];
  concurrency: number;
}

async function connect(request: ConnectRequest) {
  const driver = makeDriver(request.kind, request.product);
  const started = performance.now();
  const errors: string[] = [];
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < request.devices.length) {
      const spec = request.devices[next++];
      if (!spec) break;
      try {
        const device = await driver.connect(spec, events);
        devices.set(spec.deviceId, { device, driver, group: request.group, seq: 0 });
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, worker));
  return { connected: request.devices.length - failed, failed, errors, ms: performance.now() - started };
}

export interface PacedRequest extends PacedOptions {
  flows: Array<{ sender: string; receivers: number }>;
}

async function paced(request: PacedRequest) {
  const first = request.flows[0] ? devices.get(request.flows[0].sender) : undefined;
  if (!first) throw new Error('paced: unknown sender');
  const run = createDeliveryTracker(first.driver.cumulative, first.driver.kind === 'product' || first.driver.kind === 'product-sdk');
  tracker = run;
  const flows: Flow[] = request.flows.map(({ sender, receivers }) => {
    const record = devices.get(sender);
    if (!record) throw new Error(`paced: unknown sender ${sender}`);
    return {
      send(measured) {
        const seq = ++record.seq;
        run.expect(sender, seq, receivers, measured, performance.now());
        record.device.send(seq);
      },
    };
  });
  try {
    return await runPaced(flows, run, request);
  } finally {
    tracker = null;
  }
}

function close(request: { group: string }) {
  let closed = 0;
  for (const [id, record] of devices) {
    if (record.group !== request.group) continue;
    record.device.close();
    devices.delete(id);
    closed++;
  }
  return { closed, drops: drops.get(request.group) ?? 0 };
}

serveIpc({
  connect,
  paced,
  close,
  failover: (request: FailoverRequest) => runFailover(request),
});
process.on('disconnect', () => process.exit(0));
// The probe unrefs the IPC channel (servers live on their sockets); this process lives on its channel.
process.channel?.ref();
// Requests sent before this module registered its handlers would be lost: say when it is ready.
process.send?.({ ready: true });

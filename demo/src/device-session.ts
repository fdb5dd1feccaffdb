/** One simulated device of the page: its own SDK client, device id and storage namespace. */
import { createSyncClient, localStorageAdapter, type SyncClient } from '../../client-sdk/src/index.ts';

export interface DeviceSpec {
  key: 'phone' | 'laptop';
  label: string;
  kind: 'phone' | 'laptop';
  /** Shown in the user's device list. */
  name: string;
}

export const DEVICES: readonly DeviceSpec[] = [
  { key: 'phone', label: 'Phone', kind: 'phone', name: 'Phone (demo)' },
  { key: 'laptop', label: 'Laptop', kind: 'laptop', name: 'Laptop (demo)' },
];

export interface DeviceSession {
  spec: DeviceSpec;
  deviceId: string;
  client: SyncClient;
}

interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SessionOptions {
  /** Gateway (or balancer) origin; the page's own. */
  origin: string;
  userId: string;
  /** Per-tab storage (sessionStorage): a reload keeps the outbox, a second tab is a second pair of devices. */
  storage: KeyValue;
}

async function devToken(origin: string, userId: string, deviceId: string): Promise<string> {
  const response = await fetch(`${origin}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, deviceId }),
  });
  if (!response.ok) throw new Error(`dev token endpoint answered HTTP ${response.status}`);
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== 'string') throw new Error('dev token endpoint sent no token');
  return body.token;
}

export function createDeviceSession(spec: DeviceSpec, options: SessionOptions): DeviceSession {
  const prefix = `tandem-demo:${spec.key}:`;
  const idKey = `${prefix}device-id`;
  let deviceId = options.storage.getItem(idKey);
  if (!deviceId || !/^[A-Za-z0-9_-]{1,64}$/.test(deviceId)) {
    deviceId = `${spec.key}-${Math.random().toString(36).slice(2, 8)}`;
    options.storage.setItem(idKey, deviceId);
  }
  const id = deviceId;
  const client = createSyncClient({
    url: options.origin,
    getToken: () => devToken(options.origin, options.userId, id),
    deviceId: id,
    deviceName: spec.name,
    deviceKind: spec.kind,
    storage: localStorageAdapter(options.storage),
    storagePrefix: prefix,
    // Livelier than the default 5 s, so "continue watching" visibly follows the other device.
    watchReportIntervalMs: 1500,
  });
  return { spec, deviceId: id, client };
}

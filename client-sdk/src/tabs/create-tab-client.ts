import { createAppLifecycle } from '../connection/app-lifecycle.js';
import type { Outbox } from '../outbox.js';
import { createKeyValueStore } from '../storage/key-value-store.js';
import { memoryStorage } from '../storage/memory-storage.js';
import type { SyncClient, SyncClientOptions, TabRole } from '../types.js';
import { randomId } from '../util/random-id.js';
import { runForLeader } from './leader-election.js';
import { FromLeader, ToLeader } from './messages.js';
import type { BroadcastChannelLike, TabPlatform } from './platform.js';
import { sharedDeviceId } from './shared-device-id.js';
import { createTabHost, type TabHost } from './tab-host.js';
import { createTabProxy } from './tab-proxy.js';

/** A client with its own connection, as a leader tab runs it. */
export interface ConnectedClient {
  readonly client: SyncClient;
  readonly outbox: Outbox;
  /** Resolves once the stored outbox and state are loaded. */
  readonly restored: Promise<void>;
}

export type ConnectFactory = (options: SyncClientOptions, role: TabRole) => ConnectedClient;

/**
 * One device, one connection, however many tabs: the tabs of the device (the same storage prefix and device
 * id) elect a leader with a Web Lock. The leader runs the real client; every tab, the leader's included,
 * holds a proxy that mirrors the leader's state and sends its calls there. When the leader's tab goes, the
 * lock passes to the next tab, whose client loads the stored outbox and connects.
 */
export function createTabClient(options: SyncClientOptions, platform: TabPlatform, connect: ConnectFactory): SyncClient {
  const prefix = options.storagePrefix ?? 'tandem:';
  const store = createKeyValueStore(options.storage ?? memoryStorage(), prefix);
  const random = options.random ?? Math.random;
  const tabId = randomId(12, random);
  let role: TabRole = 'follower';
  let channel: BroadcastChannelLike | null = null;
  let host: TabHost | null = null;
  let withdraw: () => void = () => {};
  let closing = false;
  let stopLeading: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stopLeading = resolve));
  let led: Promise<void> = Promise.resolve();

  // The leader's client listens to its own tab; a follower tab passes on what it sees.
  const lifecycle = createAppLifecycle(options.appState);
  lifecycle.onWake(() => {
    if (role === 'follower') proxy.wake();
  });
  const proxy = createTabProxy({
    tabId,
    role: () => role,
    initial: options.connect === false ? { status: 'offline', reason: 'manual', attempt: 0, retryAt: null } : { status: 'connecting', url: options.urls?.[0] ?? options.url ?? '', attempt: 0 },
    // This tab's own calls go straight to its host while it leads; a host's messages reach the others by channel.
    post: (message) => (host ? host.receive(message) : channel?.postMessage(message)),
    async close() {
      closing = true;
      lifecycle.close();
      withdraw();
      stopLeading();
      await led;
      channel?.close();
      channel = null;
    },
  });

  const lead = async (deviceId: string) => {
    // Let messages already queued run first: a sign-out in the old leader's tab closes this one instead.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (closing) return;
    role = 'leader';
    const connected = connect({ ...options, deviceId, tabs: false }, 'leader');
    let finished: () => void = () => {};
    led = new Promise((resolve) => (finished = resolve));
    try {
      await connected.restored;
      if (!closing) {
        host = createTabHost({
          client: connected.client,
          outbox: connected.outbox,
          hostId: randomId(12, random),
          post(message) {
            channel?.postMessage(message);
            proxy.receive(message);
          },
        });
        // Announces this leader to every tab (this one too), which hands it their unanswered calls.
        host.receive({ t: 'hello', tab: tabId });
        await stopped;
      }
    } finally {
      host?.close();
      host = null;
      await connected.client.close();
      finished();
    }
  };

  void (async () => {
    let deviceId = options.deviceId;
    if (deviceId === undefined) {
      deviceId = await sharedDeviceId(platform.locks, store, `tandem-device:${prefix}`, random).catch(() => randomId(16, random));
    }
    if (closing) return;
    const name = `tandem-tabs:${prefix}${deviceId}`;
    channel = platform.openChannel(name);
    channel.onmessage = ({ data }) => {
      const toLeader = ToLeader.safeParse(data);
      if (toLeader.success) return void host?.receive(toLeader.data);
      const fromLeader = FromLeader.safeParse(data);
      if (fromLeader.success && !host) proxy.receive(fromLeader.data);
    };
    withdraw = runForLeader(platform.locks, name, () => lead(deviceId));
    proxy.hello();
  })();

  return proxy.client;
}

import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { BENCH_TITLE, skuOf, type Driver } from './driver.ts';
import { timeout } from '../../../test/support/timing.ts';

interface CartValue {
  sku: string;
  title: string;
  priceCents: number;
  qty: number;
  /** who wrote it, and their sequence number: how the receiver knows which change it sees */
  d: string;
  s: number;
}

/** Devices of the peer: one HocuspocusProvider (own WebSocket, own Y.Doc) per device on the user's cart document. */
export function createHocuspocusDriver(): Driver {
  return {
    kind: 'hocuspocus',
    // Yjs merges updates; seeing change n of a sender means having all its earlier ones.
    cumulative: true,
    async connect(spec, events) {
      const document = new Y.Doc();
      const socket = new HocuspocusProviderWebsocket({ url: spec.url, WebSocketPolyfill: WebSocket });
      const provider = new HocuspocusProvider({ websocketProvider: socket, name: `cart-${spec.userId}`, document });
      provider.attach();
      await timeout(
        new Promise<void>((resolve) => {
          if (provider.isSynced) resolve();
          else provider.on('synced', () => resolve());
        }),
        15_000,
        `hocuspocus sync ${spec.deviceId}`,
      );
      const cart = document.getMap<CartValue>('cart');
      cart.observe((event) => {
        if (event.transaction.local) return;
        for (const key of event.keysChanged) {
          const value = cart.get(key);
          if (value && value.d !== spec.deviceId) events.change(spec.deviceId, value.d, value.s);
        }
      });
      provider.on('disconnect', () => events.dropped(spec.deviceId, 'disconnect'));
      return {
        deviceId: spec.deviceId,
        send(seq) {
          const sku = skuOf(seq);
          cart.set(sku, { sku, title: BENCH_TITLE, priceCents: 1999, qty: 1 + (seq % 7), d: spec.deviceId, s: seq });
        },
        close() {
          provider.destroy();
          socket.destroy();
          document.destroy();
        },
      };
    },
  };
}

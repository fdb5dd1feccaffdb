import { createSyncClient, isSyncClientError } from '../../../client-sdk/src/index.ts';
import { mintToken } from '../../../test/support/gateway-process.ts';
import { BENCH_TITLE, skuOf, type Driver } from './driver.ts';
import { timeout } from '../../../test/support/timing.ts';
import type { ProductDriverOptions } from './product.ts';

const SEQ_IN_TITLE = / #(\d+)$/;

/**
 * Devices of our product through the client SDK (`createSyncClient`): the SDK numbers its own mutations,
 * so the benchmark's sequence number travels in the line's title and is read back from the change.
 */
export function createProductSdkDriver(options: ProductDriverOptions): Driver {
  return {
    kind: 'product-sdk',
    cumulative: false,
    async connect(spec, events) {
      const token = await mintToken({ userId: spec.userId, deviceId: spec.deviceId, secret: options.jwtSecret, ttlSec: 3600 });
      const client = createSyncClient({ url: spec.url, getToken: () => token, deviceId: spec.deviceId, deviceName: 'bench', deviceKind: 'laptop' });
      await timeout(client.ready, 15_000, `sdk ready ${spec.deviceId}`);
      client.onChange((event) => {
        if (event.type !== 'change' || event.own || event.change.op.type !== 'cart:line') return;
        const match = SEQ_IN_TITLE.exec(event.change.op.line?.title ?? '');
        if (match?.[1]) events.change(spec.deviceId, event.change.deviceId, Number(match[1]));
      });
      client.onStatus((status) => {
        if (status === 'offline') events.dropped(spec.deviceId, status);
      });
      return {
        deviceId: spec.deviceId,
        send(seq) {
          client.cart.add({ sku: skuOf(seq), title: `${BENCH_TITLE} #${seq}`, priceCents: 1999, qty: 1 }).then(
            () => events.acked(spec.deviceId, seq),
            (err: unknown) => events.failed(spec.deviceId, seq, isSyncClientError(err) ? err.code : 'error'),
          );
        },
        close() {
          void client.close();
        },
      };
    },
  };
}

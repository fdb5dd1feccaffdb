import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/protocol/index.ts';
import type { SyncChangeEvent } from '../../src/index.ts';
import { eventually, newUser, tokens, useCluster } from '../support/cluster.ts';
import { interceptingIo } from '../support/intercept-io.ts';

const { clients, url } = useCluster({ nodes: 1 });

// Each change carries the whole line: about 1.2 KB of JSON with this title and these attributes.
const title = '\uFFFF'.repeat(LIMITS.titleLength);
const attributes = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`${i}`, 'x'.repeat(LIMITS.attributeValueLength)]));

describe('a long catch-up', () => {
  it('comes in pages of at most LIMITS.syncBytes, which the SDK asks for one after another until it is level', async () => {
    const user = newUser();
    const wire = interceptingIo();
    const phone = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'phone' });
    const laptop = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'laptop', io: wire.io });
    await Promise.all([phone.ready, laptop.ready]);
    laptop.goOffline();
    await eventually(() => expect(laptop.status).toBe('offline'));

    const adds = 300;
    await Promise.all(Array.from({ length: adds }, (_, i) => phone.cart.add({ sku: `sku-${i % 2}`, title, priceCents: 100, qty: 1, attributes })));
    expect(phone.version).toBeGreaterThanOrEqual(adds);

    const events: SyncChangeEvent[] = [];
    laptop.onChange((event) => events.push(event));
    const syncsBefore = wire.requests('sync:since');
    laptop.goOnline();
    await eventually(() => expect(laptop.version).toBe(phone.version));
    expect(laptop.cart.get().items).toEqual(phone.cart.get().items);
    // 300 changes of ~1.2 KB do not fit one page: at least two answers, each change applied once, in order.
    expect(wire.requests('sync:since') - syncsBefore).toBeGreaterThanOrEqual(2);
    expect(events.some((e) => e.type === 'snapshot')).toBe(false);
    const versions = events.flatMap((e) => (e.type === 'change' ? [e.change.version] : []));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.at(-1)).toBe(phone.version);
  });
});

import { describe, expect, it } from 'vitest';
import type { SyncChangeEvent } from '../../src/index.ts';
import { eventually, newUser, tokens, useCluster } from '../support/cluster.ts';

const fixture = useCluster({ nodes: 2 });
const { clients, url } = fixture;

/** A counter of a node's /metrics, summed over the label sets that contain `labels`. */
async function counter(node: number, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${fixture.adminUrl(node)}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('a device that edits offline', () => {
  it('has 100 offline edits applied exactly once and in order, in a handful of pushes, once it goes online', async () => {
    const user = newUser();
    const laptop = clients.create({ url: url(2), getToken: tokens(user), deviceId: 'laptop' });
    const phone = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'phone', connect: false });
    await laptop.ready;
    const seen: Array<{ seq: number; version: number }> = [];
    laptop.onChange((event: SyncChangeEvent) => {
      if (event.type === 'change' && event.change.deviceId === 'phone') seen.push({ seq: event.change.seq, version: event.change.version });
    });

    const acks = Array.from({ length: 100 }, (_, i) => phone.cart.add({ sku: `sku-${i % 10}`, title: `Item ${i % 10}`, priceCents: 100, qty: 1 }));
    await eventually(() => expect(phone.pendingCount).toBe(100));
    phone.goOnline();
    const answers = await Promise.all(acks);

    // Acknowledged in the order made, each at its own version, none taken for a duplicate.
    expect(answers.every((a) => !a.duplicate)).toBe(true);
    const versions = answers.map((a) => a.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(100);
    // The other device sees each change once, in seq order.
    await eventually(() => expect(seen).toHaveLength(100));
    const seqs = seen.map((s) => s.seq);
    expect(new Set(seqs).size).toBe(100);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await eventually(() => expect(laptop.cart.get().items).toEqual(phone.cart.get().items));
    expect(phone.cart.get().items.map((l) => l.qty)).toEqual(Array.from({ length: 10 }, () => 10));

    // Counted by the phone's node: a handful of pushes carried all 100, no single-mutation request.
    const pushes = await counter(1, 'tandem_requests_total', 'event="mutations:push"');
    expect(pushes).toBeGreaterThanOrEqual(1);
    expect(pushes).toBeLessThanOrEqual(3);
    expect(await counter(1, 'tandem_pushed_mutations_total', 'outcome="applied"')).toBe(100);
    expect(await counter(1, 'tandem_requests_total', 'event="cart:add"')).toBe(0);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { createOutbox, type Outbox } from '../../src/outbox.ts';
import { createKeyValueStore } from '../../src/storage/key-value-store.ts';
import { memoryStorage } from '../../src/storage/memory-storage.ts';
import type { SyncStorage } from '../../src/storage/types.ts';
import type { MutationBody } from '../../src/state/mutation-body.ts';

const add = (sku: string, qty = 1): MutationBody => ({ event: 'cart:add', request: { sku, title: sku, priceCents: 1, qty } });

/** An async storage whose writes complete only when the test releases them. */
function gatedStorage() {
  const data = new Map<string, string>();
  const gates: Array<() => void> = [];
  const storage: SyncStorage = {
    getItem: async (key) => data.get(key) ?? null,
    setItem: (key, value) =>
      new Promise<void>((resolve) =>
        gates.push(() => {
          data.set(key, value);
          resolve();
        }),
      ),
    removeItem: async (key) => {
      data.delete(key);
    },
  };
  return { storage, data, release: () => gates.splice(0).forEach((open) => open()), get waiting() { return gates.length; } };
}

function outboxOn(storage: SyncStorage, seqFloor = 0, errors: unknown[] = []): Outbox {
  return createOutbox({ store: createKeyValueStore(storage, 't:'), key: () => 'outbox:d1', seqFloor: () => seqFloor, onStorageError: (e) => errors.push(e) });
}

describe('outbox', () => {
  it('hands out increasing seqs in call order and keeps that order', async () => {
    const outbox = outboxOn(memoryStorage());
    await outbox.load();
    const entries = ['a', 'b', 'c'].map((sku) => outbox.add(add(sku)));
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(outbox.entries()).toEqual(entries);
    expect((await outbox.next())?.seq).toBe(1);
  });

  it('does not offer an entry for sending before its seq is written to storage', async () => {
    const gated = gatedStorage();
    const outbox = outboxOn(gated.storage);
    const loading = outbox.load();
    await vi.waitFor(() => expect(gated.waiting).toBe(1));
    gated.release();
    await loading;
    outbox.add(add('a'));
    let offered: number | null | undefined;
    const next = outbox.next().then((e) => (offered = e?.seq));
    await vi.waitFor(() => expect(gated.waiting).toBe(1));
    expect(offered).toBeUndefined();
    expect(gated.data.get('t:outbox:d1') ?? '').not.toContain('"sku":"a"');
    gated.release();
    await next;
    expect(offered).toBe(1);
    expect(JSON.parse(gated.data.get('t:outbox:d1') ?? '{}')).toMatchObject({ nextSeq: 2, pending: [{ event: 'cart:add', request: { seq: 1, sku: 'a' } }] });
  });

  it('restores pending mutations with their original seqs, in order, after a restart', async () => {
    const storage = memoryStorage();
    const first = outboxOn(storage);
    await first.load();
    const acked = first.add(add('a'));
    first.add(add('b'));
    first.add(add('c'));
    first.acknowledge([{ entry: acked, version: 10 }]);
    await first.flush();

    const second = outboxOn(storage);
    const early = second.add(add('d'));
    expect(early.seq).toBeNull();
    expect(await second.load()).toEqual({ restored: 2, dropped: 0 });
    expect(second.entries().map((e) => [e.seq, (e.body.request as { sku: string }).sku])).toEqual([
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
  });

  it('never reuses a seq: a wiped store starts above the clock-based floor', async () => {
    const outbox = outboxOn(memoryStorage(), 17_000_000_000_000);
    await outbox.load();
    expect(outbox.add(add('a')).seq).toBe(17_000_000_000_000);
  });

  it('keeps acknowledged entries in the overlay until the state reaches their version', async () => {
    const outbox = outboxOn(memoryStorage());
    await outbox.load();
    const a = outbox.add(add('a'));
    const b = outbox.add(add('b'));
    outbox.acknowledge([{ entry: a, version: 7 }]);
    expect(outbox.pendingCount).toBe(1);
    expect(outbox.entries()).toEqual([a, b]);
    expect((await outbox.next())?.seq).toBe(b.seq);
    outbox.confirm(6);
    expect(outbox.entries()).toHaveLength(2);
    outbox.confirm(7);
    expect(outbox.entries()).toEqual([b]);
  });

  it('settles an entry whose commit shows up in the log, and removes refused ones', async () => {
    const outbox = outboxOn(memoryStorage());
    await outbox.load();
    const a = outbox.add(add('a'));
    const b = outbox.add(add('b'));
    expect(outbox.settleSeq(a.seq ?? 0, 3)).toBe(a);
    expect(outbox.settleSeq(a.seq ?? 0, 3)).toBeUndefined();
    outbox.remove(b);
    expect(outbox.pendingCount).toBe(0);
  });

  it('drops unreadable stored entries and reports how many', async () => {
    const storage = memoryStorage([
      ['t:outbox:d1', JSON.stringify({ v: 1, owner: 'u', nextSeq: 9, pending: [{ event: 'cart:add', request: { seq: 5, sku: 'bad sku!' } }, { event: 'cart:clear', request: { seq: 6 } }] })],
    ]);
    const outbox = outboxOn(storage);
    expect(await outbox.load()).toEqual({ restored: 1, dropped: 1 });
    expect(outbox.owner).toBe('u');
    expect(outbox.add(add('x')).seq).toBe(9);
  });

  it('still sends when storage fails, and reports the failure', async () => {
    const errors: unknown[] = [];
    const broken: SyncStorage = { getItem: () => null, setItem: () => Promise.reject(new Error('quota')), removeItem: () => {} };
    const outbox = outboxOn(broken, 0, errors);
    await outbox.load();
    outbox.add(add('a'));
    expect((await outbox.next())?.seq).toBe(1);
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('key-value store', () => {
  it('applies writes to one key in call order even when the backend finishes them out of order', async () => {
    const data = new Map<string, string>();
    let delay = 30;
    const slowFirst: SyncStorage = {
      getItem: (k) => data.get(k) ?? null,
      setItem: (k, v) => new Promise((resolve) => setTimeout(() => (data.set(k, v), resolve()), (delay = Math.max(0, delay - 15)))),
      removeItem: (k) => void data.delete(k),
    };
    const store = createKeyValueStore(slowFirst, 'p:');
    await Promise.all([store.set('k', '1'), store.set('k', '2'), store.set('k', '3')]);
    expect(await store.get('k')).toBe('3');
    expect(data.get('p:k')).toBe('3');
  });
});

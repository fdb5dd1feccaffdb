import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { Change } from '../../src/protocol/index.ts';
import { createSyncEngine, type SyncEngine } from '../../src/sync/sync-engine.ts';
import { systemTimers } from '../../src/util/timers.ts';

const change = (version: number, qty = version, epoch = 'e1'): Change => ({
  epoch,
  version,
  deviceId: 'laptop',
  seq: version,
  at: 1,
  op: { type: 'cart:line', sku: 'a', line: { sku: 'a', title: 'A', priceCents: 1, qty } },
});

function engine() {
  const needSync = vi.fn();
  const applied: number[] = [];
  const sync: SyncEngine = createSyncEngine({
    timers: systemTimers(),
    gapTimeoutMs: 300,
    needSync,
    onState: (_state, changes) => applied.push(...changes.map((c) => c.change.version)),
  });
  sync.applySync({ kind: 'changes', epoch: 'e1', version: 0, changes: [] });
  return { sync, needSync, applied };
}

describe('sync engine', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies changes in version order whatever order they arrive in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([1, 2, 3, 4, 5, 6, 7, 8], { minLength: 8, maxLength: 8 }), (order) => {
        const { sync, applied } = engine();
        for (const v of order) sync.receive(change(v), 'push');
        expect(applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(sync.state.version).toBe(8);
        expect(sync.state.cart.get('a')?.qty).toBe(8);
      }),
    );
  });

  it('ignores duplicates and versions it already has', () => {
    const { sync, applied } = engine();
    sync.receive(change(1), 'push');
    sync.receive(change(1), 'ack');
    sync.receive(change(2), 'push');
    sync.receive(change(1), 'push');
    expect(applied).toEqual([1, 2]);
  });

  it('asks for a sync when a gap stays open for the timeout, not before, and not when it fills', () => {
    const { sync, needSync } = engine();
    sync.receive(change(2), 'push');
    vi.advanceTimersByTime(299);
    sync.receive(change(3), 'push');
    expect(needSync).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(needSync).toHaveBeenCalledTimes(1);

    const other = engine();
    other.sync.receive(change(2), 'push');
    vi.advanceTimersByTime(100);
    other.sync.receive(change(1), 'push');
    vi.advanceTimersByTime(1000);
    expect(other.needSync).not.toHaveBeenCalled();
  });

  it('fills a gap from the sync answer and then drains what was buffered', () => {
    const { sync, applied } = engine();
    sync.receive(change(3), 'push');
    sync.receive(change(5), 'push');
    sync.applySync({ kind: 'changes', epoch: 'e1', version: 4, changes: [change(1), change(2), change(3), change(4)] });
    expect(applied).toEqual([1, 2, 3, 4, 5]);
  });

  it('fetches when a duplicate ack says the server is ahead and nothing arrives', () => {
    const { sync, needSync } = engine();
    sync.expect(4);
    vi.advanceTimersByTime(300);
    expect(needSync).toHaveBeenCalledTimes(1);
  });

  it('asks for a sync when a change of another epoch arrives, and takes the snapshot it gets', () => {
    const { sync, needSync } = engine();
    sync.receive(change(1), 'push');
    sync.receive(change(1, 9, 'e2'), 'push');
    expect(needSync).toHaveBeenCalledTimes(1);
    sync.applySync({ kind: 'snapshot', epoch: 'e2', version: 1, state: { cart: [], watch: [] } });
    expect(sync.state).toMatchObject({ epoch: 'e2', version: 1 });
    expect(sync.state.cart.size).toBe(0);
  });

  it('takes the snapshot answering its own request even at a lower version of the same epoch (the store went back)', () => {
    const { sync } = engine();
    sync.receive(change(1), 'push');
    sync.receive(change(2), 'push');
    const asked = sync.beginSync();
    sync.applySync({ kind: 'snapshot', epoch: 'e1', version: 1, state: { cart: [], watch: [] } }, asked);
    expect(sync.state).toMatchObject({ epoch: 'e1', version: 1 });
    expect(sync.state.cart.size).toBe(0);
  });

  it('ignores the answer to an earlier request, whatever its version', () => {
    const { sync } = engine();
    sync.receive(change(1), 'push');
    const old = sync.beginSync();
    const latest = sync.beginSync();
    sync.applySync({ kind: 'snapshot', epoch: 'e1', version: 5, state: { cart: [], watch: [] } }, old);
    expect(sync.state.version).toBe(1);
    sync.applySync({ kind: 'changes', epoch: 'e1', version: 1, changes: [] }, latest);
    expect(sync.state.version).toBe(1);
  });

  it('keeps the changes received while its request was out when the answer is older than them', () => {
    const { sync } = engine();
    const asked = sync.beginSync();
    sync.receive(change(1), 'push');
    sync.receive(change(2), 'push');
    sync.applySync({ kind: 'snapshot', epoch: 'e1', version: 1, state: { cart: [{ sku: 'a', title: 'A', priceCents: 1, qty: 1 }], watch: [] } }, asked);
    expect(sync.state.version).toBe(2);
    expect(sync.state.cart.get('a')?.qty).toBe(2);
  });

  it('reports a reset with the lost changes it had applied', () => {
    const resets: unknown[] = [];
    const sync = createSyncEngine({ timers: systemTimers(), gapTimeoutMs: 300, needSync: vi.fn(), onState: (_s, _a, snap) => resets.push(snap?.reset) });
    sync.applySync({ kind: 'changes', epoch: 'e1', version: 0, changes: [] });
    for (const v of [1, 2, 3]) sync.receive(change(v), 'push');
    const reset = { reason: 'store_regressed' as const, epoch: 'e1', fromVersion: 2, toVersion: 3 };
    sync.applySync({ kind: 'snapshot', epoch: 'e2', version: 1, state: { cart: [], watch: [] }, reset }, sync.beginSync());
    expect(resets.at(-1)).toEqual({ ...reset, changes: [change(2), change(3)] });
    expect(sync.state).toMatchObject({ epoch: 'e2', version: 1 });
  });

  it('asks for a sync when a version it has arrives as another change (the server moved on from a shorter history)', () => {
    const { sync, needSync } = engine();
    sync.receive(change(1), 'push');
    sync.receive(change(2), 'push');
    sync.receive(change(2), 'push');
    expect(needSync).not.toHaveBeenCalled();
    sync.receive({ ...change(2), deviceId: 'phone', seq: 40 }, 'ack');
    expect(needSync).toHaveBeenCalledTimes(1);
  });

  it('keeps pushes that arrive before the first sync and applies them after it', () => {
    const onState = vi.fn();
    const sync = createSyncEngine({ timers: systemTimers(), gapTimeoutMs: 300, needSync: vi.fn(), onState });
    sync.receive(change(3), 'push');
    sync.applySync({ kind: 'snapshot', epoch: 'e1', version: 2, state: { cart: [], watch: [] } });
    expect(sync.state.version).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_WATCH_RULES, type CartLine, type Change, type Op, type WatchEntry } from '../../src/protocol/index.ts';
import { applyChange, applyOp, decide, emptyServerState, predict, rebase, stateFromSnapshot, type MutationBody } from '../../src/state/index.ts';
import { cartView, watchView } from '../../src/state/views.ts';

const line = (sku: string, qty: number, priceCents = 100): CartLine => ({ sku, title: sku.toUpperCase(), priceCents, qty });
const entry = (videoId: string, positionSec: number, updatedAt: number, durationSec = 100): WatchEntry => ({
  videoId,
  positionSec,
  durationSec,
  updatedAt,
  deviceId: 'tv',
  completed: positionSec >= 95,
});
const RULES = DEFAULT_WATCH_RULES;
const change = (version: number, op: Op): Change => ({ epoch: 'e1', version, deviceId: 'laptop', seq: version, at: 1000, op });

describe('applyOp', () => {
  it('sets, replaces and deletes cart lines from deltas', () => {
    let state = emptyServerState();
    state = applyOp(state, { type: 'cart:line', sku: 'a', line: line('a', 1) });
    state = applyOp(state, { type: 'cart:line', sku: 'a', line: line('a', 3) });
    state = applyOp(state, { type: 'cart:line', sku: 'b', line: line('b', 2) });
    expect([...state.cart.values()]).toEqual([line('a', 3), line('b', 2)]);
    state = applyOp(state, { type: 'cart:line', sku: 'a', line: null });
    expect([...state.cart.keys()]).toEqual(['b']);
    state = applyOp(state, { type: 'cart:clear' });
    expect(state.cart.size).toBe(0);
  });

  it('applies a watch entry and drops trimmed videos', () => {
    let state = stateFromSnapshot('e', 3, { cart: [], watch: [entry('old', 5, 1), entry('v', 1, 2)] });
    state = applyOp(state, { type: 'watch', entry: entry('v', 20, 9), trimmed: ['old'] });
    expect([...state.watch.values()]).toEqual([entry('v', 20, 9)]);
  });

  it('does not touch the maps of other domains (views can memoize on identity)', () => {
    const state = stateFromSnapshot('e', 1, { cart: [line('a', 1)], watch: [entry('v', 1, 1)] });
    const afterWatch = applyOp(state, { type: 'watch', entry: entry('v', 2, 2), trimmed: [] });
    expect(afterWatch.cart).toBe(state.cart);
    const afterCart = applyOp(state, { type: 'cart:line', sku: 'b', line: line('b', 1) });
    expect(afterCart.watch).toBe(state.watch);
    expect(applyOp(state, { type: 'noop' })).toBe(state);
  });

  it('is idempotent: applying any delta twice equals applying it once', () => {
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        type: fc.constant('cart:line' as const),
        sku: fc.constantFrom('a', 'b', 'c'),
        line: fc.option(fc.integer({ min: 1, max: 999 }).map((q) => line('a', q)), { nil: null }),
      }).map((op) => ({ ...op, line: op.line ? { ...op.line, sku: op.sku } : null })),
      fc.constant({ type: 'cart:clear' as const }),
      fc.constant({ type: 'noop' as const }),
      fc.record({
        type: fc.constant('watch' as const),
        entry: fc.integer({ min: 0, max: 100 }).map((p) => entry('v', p, p)),
        trimmed: fc.constant([] as string[]),
      }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 20 }), (ops) => {
        const once = ops.reduce((s, op) => applyOp(s, op), emptyServerState());
        const twice = ops.reduce((s, op) => applyOp(applyOp(s, op), op), emptyServerState());
        expect([...twice.cart.entries()]).toEqual([...once.cart.entries()]);
        expect([...twice.watch.entries()]).toEqual([...once.watch.entries()]);
      }),
    );
  });

  it('moves epoch and version with each change', () => {
    const state = applyChange(emptyServerState(), change(1, { type: 'noop' }));
    expect(state.epoch).toBe('e1');
    expect(state.version).toBe(1);
  });
});

describe('predict (optimistic local effect)', () => {
  const base = stateFromSnapshot('e', 5, { cart: [line('a', 2)], watch: [entry('v', 50, 1000)] });

  it('adds to an existing line and takes the newest title and price', () => {
    const next = predict(base, { event: 'cart:add', request: { sku: 'a', title: 'New', priceCents: 250, qty: 997 } }, 'me', RULES);
    expect(next.cart.get('a')).toEqual({ sku: 'a', title: 'New', priceCents: 250, qty: 999 });
  });

  it('refuses an add past 999 as the server does: bad_request, and no local effect', () => {
    const past: MutationBody = { event: 'cart:add', request: { sku: 'a', title: 'New', priceCents: 250, qty: 998 } };
    expect(decide(base, past, 'me', RULES)).toEqual({ ok: false, error: { code: 'bad_request', message: 'qty would exceed 999' } });
    expect(predict(base, past, 'me', RULES)).toBe(base);
  });

  it('sets a quantity, removes at 0 and ignores a missing line (the server answers not_found)', () => {
    expect(predict(base, { event: 'cart:set', request: { sku: 'a', qty: 7 } }, 'me', RULES).cart.get('a')?.qty).toBe(7);
    expect(predict(base, { event: 'cart:set', request: { sku: 'a', qty: 0 } }, 'me', RULES).cart.has('a')).toBe(false);
    expect(predict(base, { event: 'cart:set', request: { sku: 'zz', qty: 3 } }, 'me', RULES)).toBe(base);
  });

  it('removes a line and clears the cart', () => {
    expect(predict(base, { event: 'cart:remove', request: { sku: 'a' } }, 'me', RULES).cart.size).toBe(0);
    expect(predict(base, { event: 'cart:remove', request: { sku: 'zz' } }, 'me', RULES)).toBe(base);
    expect(predict(base, { event: 'cart:clear', request: {} }, 'me', RULES).cart.size).toBe(0);
  });

  it('follows the watch rules: newer event time wins, progress never goes back, seek may', () => {
    const report = (positionSec: number, at: number, kind: 'progress' | 'seek'): MutationBody => ({
      event: 'watch:report',
      request: { videoId: 'v', positionSec, durationSec: 1000, at, kind },
    });
    expect(predict(base, report(80, 999, 'progress'), 'me', RULES)).toBe(base);
    expect(predict(base, report(10, 2000, 'progress'), 'me', RULES)).toBe(base);
    expect(predict(base, report(100, 2000, 'seek'), 'me', RULES).watch.get('v')).toMatchObject({ positionSec: 100, updatedAt: 2000, deviceId: 'me' });
    expect(predict(base, report(901, 2000, 'progress'), 'me', RULES).watch.get('v')).toMatchObject({ positionSec: 0, completed: true });
  });

  it('predicts with the resume rules it is given (the server sends its own)', () => {
    const report = (positionSec: number): MutationBody => ({ event: 'watch:report', request: { videoId: 'w', positionSec, durationSec: 200, at: 2000, kind: 'seek' } });
    expect(predict(base, report(100), 'me', RULES).watch.get('w')).toMatchObject({ positionSec: 0, completed: false });
    const lenient = { minResumePct: 1, maxResumePct: 99, minDurationSec: 60, creditsSec: 0 };
    expect(predict(base, report(100), 'me', lenient).watch.get('w')).toMatchObject({ positionSec: 100, completed: false });
  });
});

describe('rebase', () => {
  it('replays pending mutations on the server state in order', () => {
    const server = stateFromSnapshot('e', 1, { cart: [line('a', 1)], watch: [] });
    const pending: MutationBody[] = [
      { event: 'cart:add', request: { sku: 'b', title: 'B', priceCents: 10, qty: 1 } },
      { event: 'cart:set', request: { sku: 'b', qty: 4 } },
      { event: 'cart:remove', request: { sku: 'a' } },
    ];
    expect([...rebase(server, pending, 'me', RULES).cart.values()]).toEqual([{ sku: 'b', title: 'B', priceCents: 10, qty: 4 }]);
  });

  it('rolls back a refused mutation by rebasing without it', () => {
    const server = stateFromSnapshot('e', 1, { cart: [line('a', 1)], watch: [] });
    const refused: MutationBody = { event: 'cart:clear', request: {} };
    const kept: MutationBody = { event: 'cart:add', request: { sku: 'a', title: 'A', priceCents: 100, qty: 1 } };
    expect(rebase(server, [refused, kept], 'me', RULES).cart.get('a')?.qty).toBe(1);
    expect(rebase(server, [kept], 'me', RULES).cart.get('a')?.qty).toBe(2);
  });

  it('equals the server state once the server has applied the same mutations (cart adds commute with deltas)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 1, max: 5 })), { maxLength: 10 }), (adds) => {
        const bodies: MutationBody[] = adds.map(([sku, qty]) => ({ event: 'cart:add', request: { sku, title: 'T', priceCents: 1, qty } }));
        const local = rebase(emptyServerState(), bodies, 'me', RULES);
        let server = emptyServerState();
        bodies.forEach((body, i) => {
          const next = predict(server, body, 'me', RULES);
          const sku = (body.request as { sku: string }).sku;
          server = applyChange(server, change(i + 1, { type: 'cart:line', sku, line: next.cart.get(sku) ?? null }));
        });
        expect([...rebase(server, [], 'me', RULES).cart.entries()]).toEqual([...local.cart.entries()]);
      }),
    );
  });
});

describe('views', () => {
  it('totals the cart', () => {
    expect(cartView(new Map([['a', line('a', 2, 150)], ['b', line('b', 1, 99)]]), 4)).toEqual({
      items: [line('a', 2, 150), line('b', 1, 99)],
      totalCents: 399,
      version: 4,
    });
  });

  it('lists unfinished videos newest first', () => {
    const view = watchView(new Map([['x', entry('x', 10, 5)], ['done', entry('done', 99, 9)], ['y', entry('y', 10, 7)]]), 1);
    expect(view.continueWatching.map((e) => e.videoId)).toEqual(['y', 'x']);
  });
});

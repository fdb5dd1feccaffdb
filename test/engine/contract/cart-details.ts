import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../client-sdk/src/protocol/index.ts';
import { connect, engines, expectCode, snapshotOf, uniqueUser, versionOf, type ContractTarget } from './harness.ts';

export function cartDetailsContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);
  const line = { sku: 'shirt-1', title: 'Shirt', priceCents: 2500, qty: 1 };

  describe('cart currency and attributes', () => {
    it('stores a line with its currency and attributes, and keeps them through a quantity change', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const added = await phone.send('cart:add', { ...line, currency: 'EUR', attributes: { size: 'M', colour: 'bl\u00fcue "navy"' } });
      const stored = { ...line, currency: 'EUR', attributes: { size: 'M', colour: 'bl\u00fcue "navy"' } };
      expect(added.change?.op).toEqual({ type: 'cart:line', sku: 'shirt-1', line: stored });
      const set = await phone.send('cart:set', { sku: 'shirt-1', qty: 3 });
      expect(set.change?.op).toEqual({ type: 'cart:line', sku: 'shirt-1', line: { ...stored, qty: 3 } });
      expect((await snapshotOf(engine, user)).state.cart).toEqual([{ ...stored, qty: 3 }]);
    });

    it('leaves out empty attributes and an absent currency', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const added = await phone.send('cart:add', { ...line, attributes: {} });
      expect(added.change?.op).toEqual({ type: 'cart:line', sku: 'shirt-1', line });
    });

    it('holds one currency per cart: a line in another currency (or none) is refused currency_mismatch', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.send('cart:add', { ...line, currency: 'EUR' });
      await expectCode(phone.send('cart:add', { ...line, sku: 'other', currency: 'USD' }), 'currency_mismatch');
      await expectCode(phone.send('cart:add', { ...line, currency: 'USD' }), 'currency_mismatch');
      await expectCode(phone.send('cart:add', { ...line, sku: 'other' }), 'currency_mismatch');
      expect(await versionOf(engine, user)).toBe(1);
      await phone.send('cart:clear', {});
      expect((await phone.send('cart:add', { ...line, currency: 'USD' })).change?.op).toMatchObject({ line: { currency: 'USD' } });
    });

    it('refuses attributes past their bounds and malformed currencies with bad_request', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const many = Object.fromEntries(Array.from({ length: LIMITS.attributePairs + 1 }, (_, i) => [`k${i}`, 'v']));
      const bad = [
        { ...line, attributes: many },
        { ...line, attributes: { size: 'x'.repeat(LIMITS.attributeValueLength + 1) } },
        { ...line, attributes: { ['k'.repeat(LIMITS.attributeKeyLength + 1)]: 'v' } },
        { ...line, attributes: { 'bad key': 'v' } },
        { ...line, attributes: { size: 'tab\there' } },
        { ...line, attributes: { size: 'lone \ud800' } },
        { ...line, attributes: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`key${i}`, '\u{1F375}'.repeat(16)])) },
        { ...line, currency: 'eur' },
        { ...line, currency: 'EURO' },
      ];
      for (const request of bad) await expectCode(phone.sendAt(1, 'cart:add', request), 'bad_request');
      expect(await versionOf(engine, user)).toBe(0);
      const edge = Object.fromEntries(Array.from({ length: LIMITS.attributePairs }, (_, i) => [`k${i}`, 'v'.repeat(40)]));
      expect((await phone.sendAt(1, 'cart:add', { ...line, attributes: edge })).change?.op).toMatchObject({ line: { attributes: edge } });
    });
  });

  describe('watch:remove', () => {
    it('takes a video off watch progress, and commits a noop for a missing one', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const laptop = await connect(engine, user, 'laptop');
      const at = Date.now() - 10_000;
      await laptop.send('watch:report', { videoId: 'film-1', positionSec: 10, durationSec: 100, at, kind: 'progress' });
      await laptop.send('watch:report', { videoId: 'film-2', positionSec: 10, durationSec: 100, at: at + 1, kind: 'progress' });
      const removed = await laptop.send('watch:remove', { videoId: 'film-1' });
      expect(removed.change?.op).toEqual({ type: 'watch:remove', videoId: 'film-1' });
      expect((await snapshotOf(engine, user)).state.watch.map((e) => e.videoId)).toEqual(['film-2']);
      expect((await laptop.send('watch:remove', { videoId: 'film-1' })).change?.op).toEqual({ type: 'noop' });
      // The video may come back with a report made after the removal (a time from the future is clamped to now).
      const back = await laptop.send('watch:report', { videoId: 'film-1', positionSec: 1, durationSec: 100, at: Date.now() + 60_000, kind: 'progress' });
      expect(back.change?.op.type).toBe('watch');
    });

    it('drops a report made before the removal (a throttled one sent late), from any device, and after a backend removal', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const tv = await connect(engine, user, 'tv');
      const at = Date.now() - 10_000;
      await tv.send('watch:report', { videoId: 'film-1', positionSec: 10, durationSec: 100, at, kind: 'progress' });
      await phone.send('watch:remove', { videoId: 'film-1' });
      for (const kind of ['progress', 'seek'] as const) {
        const late = await tv.send('watch:report', { videoId: 'film-1', positionSec: 20, durationSec: 100, at: at + 1, kind });
        expect(late.change?.op, kind).toEqual({ type: 'noop' });
      }
      // Also for a video the remover had no entry of: the first report of it may still be on its way.
      await phone.send('watch:remove', { videoId: 'film-2' });
      expect((await tv.send('watch:report', { videoId: 'film-2', positionSec: 5, durationSec: 100, at, kind: 'progress' })).change?.op).toEqual({ type: 'noop' });
      // The remover's own reports come after its removal in its own order (made offline before it arrived, say).
      expect((await phone.send('watch:report', { videoId: 'film-2', positionSec: 6, durationSec: 100, at, kind: 'progress' })).change?.op.type).toBe('watch');
      await tv.send('watch:report', { videoId: 'film-3', positionSec: 10, durationSec: 100, at, kind: 'progress' });
      await engine.backend.write({ userId: user, writer: 'backend-orders', idempotency: { key: 'rm', requestHash: 'rm' }, ifMatch: null, ops: [{ type: 'watch:remove', videoId: 'film-3' }] });
      expect((await tv.send('watch:report', { videoId: 'film-3', positionSec: 30, durationSec: 100, at: at + 2, kind: 'progress' })).change?.op).toEqual({ type: 'noop' });
      expect((await snapshotOf(engine, user)).state.watch.map((e) => e.videoId)).toEqual(['film-2']);
      const fresh = await tv.send('watch:report', { videoId: 'film-3', positionSec: 31, durationSec: 100, at: Date.now() + 60_000, kind: 'progress' });
      expect(fresh.change?.op.type).toBe('watch');
      expect((await snapshotOf(engine, user)).state.watch.map((e) => e.videoId)).toEqual(['film-3', 'film-2']);
    });
  });
}

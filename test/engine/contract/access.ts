import { describe, expect, it, vi } from 'vitest';
import { connect, engines, expectCode, snapshotOf, uniqueUser, type ContractTarget } from './harness.ts';

export function accessContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  describe('revocation', () => {
    it('signs one device out: its older tokens are refused on write, connect and check; others are not', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const issuedAt = Date.now() - 60_000;
      const phone = await connect(engine, user, 'phone', { issuedAt });
      const laptop = await connect(engine, user, 'laptop', { issuedAt });
      const revokedAt = await engine.revoke(user, { deviceId: 'phone' });
      expect(revokedAt).toBeGreaterThanOrEqual(issuedAt);
      expect(await engine.isRevoked(user, 'phone', issuedAt)).toBe(true);
      expect(await engine.isRevoked(user, 'laptop', issuedAt)).toBe(false);
      expect(await engine.isRevoked(user, 'phone', revokedAt)).toBe(false);
      await expectCode(phone.add('a'), 'unauthorized');
      await expectCode(connect(engine, user, 'phone', { issuedAt }), 'unauthorized');
      expect((await laptop.add('a')).duplicate).toBe(false);
      // A token issued after the sign-out works again.
      const fresh = await connect(engine, user, 'phone', { issuedAt: revokedAt + 1 });
      expect((await fresh.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 })).duplicate).toBe(false);
    });

    it('signs out everywhere: every token issued before is refused', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const issuedAt = Date.now() - 60_000;
      const phone = await connect(engine, user, 'phone', { issuedAt });
      const laptop = await connect(engine, user, 'laptop', { issuedAt });
      const revokedAt = await engine.revoke(user, {});
      for (const device of [phone, laptop]) await expectCode(device.add('a'), 'unauthorized');
      expect(await engine.isRevoked(user, 'tv', issuedAt)).toBe(true);
      expect(await engine.isRevoked(user, 'tv', revokedAt + 1)).toBe(false);
      expect(await engine.isRevoked(uniqueUser(), 'tv', issuedAt)).toBe(false);
      expect((await snapshotOf(engine, user)).version).toBe(0);
    });
    it('refuses the reads of a revoked session in the read itself, whatever signal was lost', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const issuedAt = Date.now() - 60_000;
      await connect(engine, user, 'phone', { issuedAt });
      const reader = { deviceId: 'phone', issuedAt, tokenId: 'tok-phone' };
      expect((await engine.resume(user, null, { reader })).devices).toHaveLength(1);
      expect(await engine.readDevices(user, reader)).toHaveLength(1);
      await engine.revoke(user, {});
      await expectCode(engine.resume(user, null, { reader }), 'unauthorized');
      await expectCode(engine.readDevices(user, reader), 'unauthorized');
      // A session whose token came after the sign-out reads on.
      const fresh = { deviceId: 'phone', issuedAt: Date.now() + 1000, tokenId: 'tok-fresh' };
      expect((await engine.resume(user, null, { reader: fresh })).sync.kind).toBe('snapshot');
      expect(await engine.readDevices(user, fresh)).toHaveLength(1);
    });

    it('refuses the reads of a signed-out token under any deviceId it claims', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const issuedAt = Date.now() - 60_000;
      await connect(engine, user, 'phone', { issuedAt });
      await engine.revoke(user, { deviceId: 'phone', token: { id: 'tok-1', until: Date.now() + 60_000 } });
      const elsewhere = { deviceId: 'tablet', issuedAt, tokenId: 'tok-1' };
      await expectCode(engine.resume(user, null, { reader: elsewhere }), 'unauthorized');
      await expectCode(engine.readDevices(user, elsewhere), 'unauthorized');
      expect(await engine.readDevices(user, { ...elsewhere, tokenId: 'tok-2' })).toHaveLength(1);
    });
  });

  describe('rate limit', () => {
    it('gives each user a bucket of `burst` requests shared by mutations and other requests', async () => {
      // The connect takes the first token.
      const engine = await use.one({ rateLimit: { perSecond: 0.001, burst: 4 }, maxDevices: 10 });
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('a');
      await engine.takeRateToken(user);
      await phone.add('a');
      await expectCode(phone.add('a'), 'rate_limited');
      await expectCode(engine.takeRateToken(user), 'rate_limited');
      await expectCode(engine.resume(user, null), 'rate_limited');
      // Another user has a bucket of their own.
      const other = await connect(engine, uniqueUser(), 'phone');
      expect((await other.add('a')).duplicate).toBe(false);
      expect((await snapshotOf(engine, user)).state.cart[0]?.qty).toBe(2);
    });

    it('takes a token on resume (the sync after a reconnect), from the same bucket as mutations', async () => {
      const engine = await use.one({ rateLimit: { perSecond: 0.001, burst: 3 }, maxDevices: 10 });
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      expect((await engine.resume(user, null)).sync.version).toBe(0);
      await phone.add('a');
      await expectCode(engine.resume(user, null), 'rate_limited');
      await expectCode(phone.add('b'), 'rate_limited');
      expect((await snapshotOf(engine, user)).state.cart.map((l) => l.sku)).toEqual(['a']);
    });

    it('refills over time, and a refused mutation may be resent with the same seq', async () => {
      // The connect and the first add empty the bucket; a token every 500 ms keeps the refusal that follows
      // from racing a refill on a loaded machine.
      const engine = await use.one({ rateLimit: { perSecond: 2, burst: 2 }, maxDevices: 10 });
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await phone.add('a');
      await expectCode(phone.sendAt(2, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 }), 'rate_limited');
      const result = await vi.waitFor(() => phone.sendAt(2, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 }), { timeout: 3000, interval: 20 });
      expect(result).toMatchObject({ duplicate: false, version: 2 });
    });
  });

  describe('concurrency', () => {
    it('ends many concurrent adds to one sku from several devices and connections with the exact sum', async () => {
      const list = await use.many(4);
      const user = uniqueUser();
      const perDevice = 60;
      // Each device writes through its own connection, in order, like one socket does.
      const devices = await Promise.all(list.map((engine, i) => connect(engine, user, `device-${i}`)));
      const results = await Promise.all(
        devices.map((device) => Promise.all(Array.from({ length: perDevice }, () => device.add('hot', 1)))),
      );
      const versions = results.flat().map((r) => r.version).sort((a, b) => a - b);
      const total = devices.length * perDevice;
      expect(versions).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      const first = list[0];
      if (!first) throw new Error('engine');
      const snapshot = await snapshotOf(first, user);
      expect(snapshot.state.cart).toEqual([{ sku: 'hot', title: 'Item hot', priceCents: 100, qty: total }]);
      const log = await first.sync(user, { epoch: snapshot.epoch, version: 0 });
      expect(log.kind === 'changes' && log.changes.map((c) => c.version)).toEqual(versions);
    });
  });
}

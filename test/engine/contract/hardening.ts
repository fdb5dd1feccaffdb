import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../client-sdk/src/protocol/index.ts';
import { connect, engines, expectCode, uniqueUser, type ContractTarget, clockPast, ROOMY } from './harness.ts';

/** Engine-level rules of issue 14: what a user inside its limits may cost the store. */
export function hardeningContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  describe('hardening', () => {
    it('charges a connect one rate token: past the burst, connects are rate_limited', async () => {
      const engine = await use.one({ rateLimit: { perSecond: 0.001, burst: 3 }, maxDevices: 10 });
      const user = uniqueUser();
      for (let i = 0; i < 3; i++) await connect(engine, user, `d${i}`);
      await expectCode(connect(engine, user, 'd3'), 'rate_limited');
      expect((await engine.listDevices(user)).map((d) => d.deviceId).sort()).toEqual(['d0', 'd1', 'd2']);
    });

    it('forgets an evicted device\'s applied seq with the device', async () => {
      const engine = await use.one({ rateLimit: { perSecond: 1000, burst: 1000 }, maxDevices: 2 });
      const user = uniqueUser();
      const old = await connect(engine, user, 'old');
      await old.add('a');
      await connect(engine, user, 'keep');
      await engine.disconnectDevice(user, 'old', old.actor.connId);
      const fresh = await connect(engine, user, 'new');
      expect((await engine.listDevices(user)).map((d) => d.deviceId).sort()).toEqual(['keep', 'new']);
      await engine.disconnectDevice(user, 'new', fresh.actor.connId);
      // Back after its eviction, the device starts over: seq 1 is a new mutation, not a duplicate.
      const back = await connect(engine, user, 'old');
      const again = await back.sendAt(1, 'cart:add', { sku: 'b', qty: 1, title: 'B', priceCents: 1 });
      expect(again.duplicate).toBe(false);
    });

    it('revokes a token itself: refused under any deviceId until it expires, while a fresh token connects', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      // Issued before the sign-out below, whatever the clock's resolution.
      const issuedAt = Date.now() - 10;
      await engine.connectDevice(user, { deviceId: 'a', name: 'a', kind: 'phone', nodeId: 'n', connId: 'c1', issuedAt, tokenId: 'h:old' });
      await engine.revoke(user, { deviceId: 'a', token: { id: 'h:old', until: Date.now() + 60_000 } });
      await expectCode(engine.connectDevice(user, { deviceId: 'b', name: 'b', kind: 'phone', nodeId: 'n', connId: 'c2', issuedAt, tokenId: 'h:old' }), 'unauthorized');
      expect(await engine.isRevoked(user, 'b', issuedAt, 'h:old')).toBe(true);
      expect(await engine.isRevoked(user, 'b', issuedAt, 'h:new')).toBe(false);
      await engine.connectDevice(user, { deviceId: 'b', name: 'b', kind: 'phone', nodeId: 'n', connId: 'c3', issuedAt, tokenId: 'h:new' });
      expect(
        await engine.revokedSessions([
          { userId: user, deviceId: 'b', issuedAt, tokenId: 'h:new' },
          { userId: user, deviceId: 'b', issuedAt, tokenId: 'h:old' },
          { userId: user, deviceId: 'a', issuedAt, tokenId: 'h:new' },
          { userId: uniqueUser(), deviceId: 'a', issuedAt, tokenId: 'h:old' },
        ]),
      ).toEqual([1, 2]);
    });

    it('bounds a stored title in encoded bytes: control characters are refused, the largest title encodes within LIMITS.titleBytes', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      await expectCode(phone.add('a', 1, '\u0001'.repeat(LIMITS.titleLength)), 'bad_request');
      await expectCode(phone.add('a', 1, `tab\there`), 'bad_request');
      const widest = '\uFFFF'.repeat(LIMITS.titleLength);
      expect((await phone.add('a', 1, widest)).duplicate).toBe(false);
      expect(new TextEncoder().encode(JSON.stringify(widest)).length).toBeLessThanOrEqual(LIMITS.titleBytes);
    });

    it('signs out only known devices by id', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      await connect(engine, user, 'real');
      await expectCode(engine.revoke(user, { deviceId: 'made-up' }), 'not_found');
      expect(await engine.revoke(user, { deviceId: 'real' })).toBeGreaterThan(0);
    });

    it('prunes the marks of tokens past their expiry', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      await connect(engine, user, 'a');
      const until = Date.now() + 30;
      await engine.revoke(user, { deviceId: 'a', token: { id: 'h:short', until } });
      expect(await engine.isRevoked(user, 'z', Date.now(), 'h:short')).toBe(true);
      await clockPast(until + 5);
      await engine.revoke(user, {});
      expect(await engine.isRevoked(user, 'z', Date.now() + 1000, 'h:short')).toBe(false);
    });

    it('prunes device and sign-out-everywhere marks older than the longest token lifetime, keeping the newer ones', async () => {
      const engine = await use.one({ ...ROOMY, tokenLifetimeMs: 150 });
      const user = uniqueUser();
      for (const id of ['old', 'new']) await connect(engine, user, id);
      const before = Date.now() - 10;
      const oldMark = await engine.revoke(user, { deviceId: 'old' });
      await engine.revoke(user, {});
      expect(await engine.isRevoked(user, 'old', before)).toBe(true);
      await clockPast(oldMark + 200);
      const newMark = await engine.revoke(user, { deviceId: 'new' });
      // Any token issued before the pruned marks has expired by now: only the fresh mark still refuses.
      expect(await engine.isRevoked(user, 'old', before)).toBe(false);
      expect(await engine.isRevoked(user, 'tv', before)).toBe(false);
      expect(await engine.isRevoked(user, 'new', newMark - 1)).toBe(true);
    });
  });
}

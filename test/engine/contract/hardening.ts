import { describe, expect, it } from 'vitest';
import { connect, engines, expectCode, uniqueUser, type ContractTarget } from './harness.ts';

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
  });
}

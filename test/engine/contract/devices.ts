import { describe, expect, it } from 'vitest';
import { connect, engines, expectCode, uniqueUser, type ContractTarget, clockPast } from './harness.ts';

export function devicesContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);
  const cap = (maxDevices: number) => ({ rateLimit: { perSecond: 1000, burst: 1000 }, maxDevices });

  describe('devices', () => {
    it('lists connecting devices online, oldest connection first', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const before = Date.now();
      await connect(engine, user, 'phone', { name: 'Ana\u2019s phone', kind: 'phone', nodeId: 'node-1' });
      // Order is by connectedAt: the laptop must connect in a later millisecond than the phone did.
      const phoneConnectedAt = (await engine.listDevices(user))[0]?.connectedAt ?? Date.now();
      await clockPast(phoneConnectedAt + 1);
      const list = await engine.connectDevice(user, { deviceId: 'laptop', name: '', kind: 'laptop', nodeId: 'node-2', connId: 'c-l', issuedAt: Date.now() });
      expect(list.map((d) => [d.deviceId, d.name, d.kind, d.nodeId, d.online])).toEqual([
        ['phone', 'Ana\u2019s phone', 'phone', 'node-1', true],
        ['laptop', '', 'laptop', 'node-2', true],
      ]);
      expect(list[0]?.connectedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(list[0]?.lastSeen).toBe(list[0]?.connectedAt);
      expect(await engine.listDevices(user)).toEqual(list);
      expect(await engine.listDevices(uniqueUser())).toEqual([]);
    });

    it('lets a newer connection of a device supersede the older one (conflict on the old)', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const old = await connect(engine, user, 'phone');
      await old.add('a');
      const fresh = await connect(engine, user, 'phone');
      fresh.seq = old.seq;
      await expectCode(old.add('a'), 'conflict');
      expect((await fresh.add('a')).change?.op).toMatchObject({ line: { qty: 2 } });
      // The superseded connection's disconnect leaves the device online.
      expect(await engine.disconnectDevice(user, 'phone', old.actor.connId)).toBeNull();
      expect((await engine.listDevices(user))[0]?.online).toBe(true);
    });

    it('marks a device offline on disconnect, after which its connection may not write', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone', { nodeId: 'node-1' });
      const list = await engine.disconnectDevice(user, 'phone', phone.actor.connId);
      expect(list).toMatchObject([{ deviceId: 'phone', online: false, nodeId: '' }]);
      expect(await engine.disconnectDevice(user, 'phone', phone.actor.connId)).toBeNull();
      await expectCode(phone.add('a'), 'conflict');
    });

    it('refuses a mutation from a device that never connected', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      await expectCode(engine.mutate({ userId: user, deviceId: 'ghost', connId: 'x', issuedAt: Date.now() }, { event: 'cart:clear', request: { seq: 1 } }), 'conflict');
    });

    it('evicts the offline device seen longest ago when a new one connects to a full list', async () => {
      const engine = await use.one(cap(3));
      const user = uniqueUser();
      const a = await connect(engine, user, 'a');
      const b = await connect(engine, user, 'b');
      await connect(engine, user, 'c');
      await engine.disconnectDevice(user, 'b', b.actor.connId);
      const bSeen = (await engine.listDevices(user)).find((d) => d.deviceId === 'b')?.lastSeen ?? 0;
      await clockPast(bSeen + 2);
      await engine.disconnectDevice(user, 'a', a.actor.connId);
      const list = await engine.connectDevice(user, { deviceId: 'd', name: 'd', kind: 'tv', nodeId: 'n', connId: 'c-d', issuedAt: Date.now() });
      expect(list.map((d) => d.deviceId).sort()).toEqual(['a', 'c', 'd']);
      // A known device reconnecting to a full list takes no one's place.
      expect((await engine.connectDevice(user, { deviceId: 'a', name: 'a', kind: 'tv', nodeId: 'n', connId: 'c-a2', issuedAt: Date.now() })).map((d) => d.deviceId).sort()).toEqual(['a', 'c', 'd']);
    });

    it('answers forbidden when the list is full and every device is online', async () => {
      const engine = await use.one(cap(2));
      const user = uniqueUser();
      await connect(engine, user, 'a');
      await connect(engine, user, 'b');
      await expectCode(connect(engine, user, 'c'), 'forbidden');
      expect((await engine.listDevices(user)).map((d) => d.deviceId).sort()).toEqual(['a', 'b']);
    });

    it('refreshes lastSeen of devices still on the touched connection only', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const laptop = await connect(engine, user, 'laptop');
      const [first] = await engine.listDevices(user);
      await clockPast((first?.lastSeen ?? 0) + 5);
      await engine.touchDevices([
        { userId: user, deviceId: 'phone', connId: phone.actor.connId },
        { userId: user, deviceId: 'laptop', connId: 'stale-conn' },
        { userId: uniqueUser(), deviceId: 'nobody', connId: 'x' },
      ]);
      await engine.touchDevices([]);
      const after = await engine.listDevices(user);
      const seen = (id: string) => after.find((d) => d.deviceId === id)?.lastSeen ?? 0;
      expect(seen('phone')).toBeGreaterThan(first?.lastSeen ?? 0);
      expect(seen('laptop')).toBe(after.find((d) => d.deviceId === 'laptop')?.connectedAt);
      expect(laptop.actor.connId).not.toBe('stale-conn');
    });

    it('sweeps devices not seen for the stale time offline, once, and their connections may no longer write', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      const phone = await connect(engine, user, 'phone');
      const laptop = await connect(engine, user, 'laptop');
      await engine.disconnectDevice(user, 'laptop', laptop.actor.connId);
      const mine = (changed: Awaited<ReturnType<typeof engine.sweepStaleDevices>>) => changed.filter((c) => c.userId === user);
      expect(mine(await engine.sweepStaleDevices(3_600_000))).toEqual([]);
      const lastSeen = (await engine.listDevices(user)).find((d) => d.deviceId === 'phone')?.lastSeen;
      const swept = mine(await engine.sweepStaleDevices(0));
      expect(swept).toHaveLength(1);
      expect(swept[0]?.devices.map((d) => [d.deviceId, d.online, d.nodeId]).sort()).toEqual([
        ['laptop', false, ''],
        ['phone', false, ''],
      ]);
      // Swept devices keep the lastSeen they had: that is when they were last known alive.
      expect(swept[0]?.devices.find((d) => d.deviceId === 'phone')?.lastSeen).toBe(lastSeen);
      expect(mine(await engine.sweepStaleDevices(0))).toEqual([]);
      await expectCode(phone.add('a'), 'conflict');
      const back = await connect(engine, user, 'phone');
      expect((await back.sendAt(1, 'cart:add', { sku: 'a', title: 'A', priceCents: 1, qty: 1 })).duplicate).toBe(false);
      expect((await engine.listDevices(user)).find((d) => d.deviceId === 'phone')?.online).toBe(true);
    });
  });
}

/** The model-based test's session commands: connect, revoke, fill a cart to its limit, wipe the store. */
import fc from 'fast-check';
import { expect } from 'vitest';
import { SyncError } from '../../../server/errors.ts';
import { wipeUser } from '../harness/model.ts';
import { device, gateCodes, nextConnId, type Real, type World } from './world.ts';

export function codeOf(err: unknown): string {
  if (err instanceof SyncError) return err.code;
  throw err;
}

/** Runs one engine call and turns a refusal into its code (the model compares codes, not messages). */
export async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, code: codeOf(err) };
  }
}

/** One mutation through the engine and through the model; their answers must agree exactly. */

export class ConnectCommand implements fc.AsyncCommand<World, Real> {
  constructor(
    readonly deviceIndex: number,
    readonly freshToken: boolean,
  ) {}
  check = () => true;
  async run(world: World, real: Real) {
    const d = device(world, this.deviceIndex);
    if (this.freshToken) {
      const marks = world.revoked.get(d.userId);
      d.issuedAt = Math.max(Date.now(), (marks?.get('*') ?? 0) + 1, (marks?.get(d.deviceId) ?? 0) + 1);
    }
    const connId = nextConnId(world, d);
    const answer = await attempt(() =>
      real.engine.connectDevice(d.userId, { deviceId: d.deviceId, name: d.deviceId, kind: 'phone', nodeId: 'model', connId, issuedAt: d.issuedAt }),
    );
    const revoked = gateCodes(world, d, d.connId).includes('unauthorized');
    if (revoked) {
      expect(answer).toEqual({ ok: false, code: 'unauthorized' });
      return;
    }
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.value.find((x) => x.deviceId === d.deviceId)?.online).toBe(true);
    if (d.connId !== null) d.oldConnIds.push(d.connId);
    d.connId = connId;
  }
  toString = () => `connect(${this.deviceIndex}${this.freshToken ? ', fresh token' : ''})`;
}

/** Sign-out of one device or of every device of the user. */
export class RevokeCommand implements fc.AsyncCommand<World, Real> {
  constructor(
    readonly deviceIndex: number,
    readonly everywhere: boolean,
  ) {}
  check = () => true;
  async run(world: World, real: Real) {
    const d = device(world, this.deviceIndex);
    if (!this.everywhere && d.connId === null) {
      // Only a device the store knows can be signed out by id (a wipe forgot them all until they reconnect).
      expect(await attempt(() => real.engine.revoke(d.userId, { deviceId: d.deviceId }))).toEqual({ ok: false, code: 'not_found' });
      return;
    }
    const at = await real.engine.revoke(d.userId, this.everywhere ? {} : { deviceId: d.deviceId });
    const marks = world.revoked.get(d.userId);
    const key = this.everywhere ? '*' : d.deviceId;
    marks?.set(key, Math.max(at, marks.get(key) ?? 0));
    for (const other of world.devices.filter((x) => x.userId === d.userId)) {
      expect(await real.engine.isRevoked(other.userId, other.deviceId, other.issuedAt)).toBe(gateCodes(world, other, other.connId).includes('unauthorized'));
    }
  }
  toString = () => `revoke(${this.deviceIndex}${this.everywhere ? ', everywhere' : ''})`;
}

/** Fills a cart to its 200-line cap with fresh skus, then one more line must be refused. */
export class WipeCommand implements fc.AsyncCommand<World, Real> {
  check = () => true;
  async run(world: World, real: Real) {
    if (!real.wipe) return;
    await real.wipe();
    for (const user of world.users.values()) wipeUser(user);
    for (const marks of world.revoked.values()) marks.clear();
    for (const d of world.devices) {
      if (d.connId !== null) d.oldConnIds.push(d.connId);
      d.connId = null;
      d.usedSeqs = [];
    }
  }
  toString = () => 'wipe()';
}

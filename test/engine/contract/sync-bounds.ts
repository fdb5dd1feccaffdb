import { describe, expect, it } from 'vitest';
import { LIMITS, type Change, type Mutation, type SyncPayload } from '../../../client-sdk/src/protocol/index.ts';
import { jsonBytes } from '../../../server/domain/sync.ts';
import type { Engine } from '../../../server/engine/engine.ts';
import { connect, engines, expectCode, uniqueUser, type ContractTarget, type TestDevice } from './harness.ts';

/** The widest title: each character takes 3 bytes in UTF-8, in JSON as in Redis' cjson. */
export const WIDEST_TITLE = '\uFFFF'.repeat(LIMITS.titleLength);
/** Seven attributes of 64 characters: within LIMITS.attributesBytes, and '/' doubles once cjson escapes it. */
export const WIDEST_ATTRIBUTES = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`${i}`, '/'.repeat(LIMITS.attributeValueLength)]));

const pad = (prefix: string, length: number, i: number) => `${prefix}${i}`.padEnd(length, 'x');

/** Cart adds of the widest line (`skus` lines, `count` adds in all), without seq. */
export function wideAdds(count: number, skus: number): Array<Omit<Mutation, 'request'> & { request: Record<string, unknown> }> {
  return Array.from({ length: count }, (_, i) => ({
    event: 'cart:add',
    request: { sku: pad('s', LIMITS.skuLength, i % skus), title: WIDEST_TITLE, priceCents: LIMITS.priceCentsMax, qty: 1, attributes: WIDEST_ATTRIBUTES },
  }));
}

/** Fills a user to every cap with the widest values: LIMITS.cartLines lines and LIMITS.watchEntries entries. */
export async function fillToEveryCap(device: TestDevice): Promise<void> {
  const watch = Array.from({ length: LIMITS.watchEntries }, (_, i) => ({
    event: 'watch:report',
    request: { videoId: pad('v', LIMITS.videoIdLength, i), positionSec: 123_456.789_012_345, durationSec: LIMITS.durationSecMax - 0.123_456_789, at: Date.now(), kind: 'seek' },
  }));
  const all = [...wideAdds(LIMITS.cartLines, LIMITS.cartLines), ...watch];
  for (let i = 0; i < all.length; i += 100) {
    const outcome = await device.push(all.slice(i, i + 100) as Parameters<TestDevice['push']>[0]);
    if (outcome.error) throw outcome.error;
  }
}

const changesOf = (sync: SyncPayload): Change[] => (sync.kind === 'changes' ? sync.changes : []);

/** Issue 14 row 1: what one answer may weigh, and what it costs. */
export function syncBoundsContract(getTarget: () => ContractTarget): void {
  const use = engines(getTarget);

  async function wideLog(engine: Engine, adds: number) {
    const user = uniqueUser();
    const phone = await connect(engine, user, 'phone');
    const mutations = wideAdds(adds, 2);
    for (let i = 0; i < mutations.length; i += 50) await phone.push(mutations.slice(i, i + 50) as Parameters<TestDevice['push']>[0]);
    return { user, epoch: (await engine.sync(user, null)).epoch };
  }

  describe('sync answers bounded in bytes', () => {
    it('pages a long catch-up within LIMITS.syncBytes for a client that pages, and answers a snapshot to one that does not', async () => {
      const engine = await use.one();
      const { user, epoch } = await wideLog(engine, 300);
      const seen: number[] = [];
      let pages = 0;
      for (let since = { epoch, version: 0 }; pages < 20; pages++) {
        const { sync } = await engine.resume(user, since, { paged: true });
        expect(sync.kind).toBe('changes');
        expect(jsonBytes(changesOf(sync))).toBeLessThanOrEqual(LIMITS.syncBytes);
        seen.push(...changesOf(sync).map((c) => c.version));
        since = { epoch, version: seen.at(-1) ?? 0 };
        if (sync.kind !== 'changes' || !sync.more) break;
      }
      expect(pages).toBeGreaterThanOrEqual(1);
      expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      const unpaged = await engine.resume(user, { epoch, version: 0 });
      expect(unpaged.sync.kind).toBe('snapshot');
      // A catch-up that fits is changes for every client.
      expect((await engine.resume(user, { epoch, version: 290 })).sync).toMatchObject({ kind: 'changes', version: 300 });
      expect((await engine.sync(user, { epoch, version: 0 })).kind).toBe('snapshot');
    });

    it('charges an answer one more rate token per LIMITS.rateBytesPerToken', async () => {
      // The bucket barely refills: the writes and connect leave exactly 10 tokens.
      const engine = await use.one({ rateLimit: { perSecond: 0.0001, burst: 300 + 1 + 10 }, maxDevices: 10 });
      const { user, epoch } = await wideLog(engine, 300);
      const { sync } = await engine.resume(user, { epoch, version: 0 }, { paged: true });
      const extra = Math.floor(jsonBytes(changesOf(sync)) / LIMITS.rateBytesPerToken);
      expect(extra).toBeGreaterThanOrEqual(2);
      let taken = 0;
      while (taken < 20) {
        try {
          await engine.takeRateToken(user);
          taken += 1;
        } catch {
          break;
        }
      }
      // Without the answer's cost there would be 9 left.
      expect(taken).toBeLessThanOrEqual(9 - extra);
      await expectCode(engine.takeRateToken(user), 'rate_limited');
    });

    it('keeps the snapshot of a user at every cap, with the widest values, within LIMITS.snapshotBytes', async () => {
      const engine = await use.one();
      const user = uniqueUser();
      await fillToEveryCap(await connect(engine, user, 'phone'));
      const { sync } = await engine.resume(user, null);
      if (sync.kind !== 'snapshot') throw new Error('expected a snapshot');
      expect(sync.state.cart).toHaveLength(LIMITS.cartLines);
      expect(sync.state.watch).toHaveLength(LIMITS.watchEntries);
      expect(jsonBytes(sync.state)).toBeLessThanOrEqual(LIMITS.snapshotBytes);
    });
  });
}

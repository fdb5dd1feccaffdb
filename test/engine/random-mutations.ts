import fc from 'fast-check';
import type { Mutation } from '../../client-sdk/src/protocol/index.ts';

// Event times well in the past (the server clamps only future ones), as offsets from a base.
const BASE = Date.now() - 86_400_000;
const sku = fc.constantFrom('a', 'b', 'c');
/** A random mutation of one user, drawn so the edges of every rule (ties, caps, missing lines) come up often. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ sku, qty: fc.constantFrom(1, 2, 500, 998, 999), title: fc.constantFrom('T', 'Tee "2"'), priceCents: fc.nat(1000) }).map(
    (r): Mutation => ({ event: 'cart:add', request: { seq: 0, ...r } }),
  ),
  fc.record({ sku, qty: fc.constantFrom(0, 1, 999) }).map((r): Mutation => ({ event: 'cart:set', request: { seq: 0, ...r } })),
  sku.map((s): Mutation => ({ event: 'cart:remove', request: { seq: 0, sku: s } })),
  fc.constant<Mutation>({ event: 'cart:clear', request: { seq: 0 } }),
  fc
    .record({
      videoId: fc.constantFrom('x', 'y'),
      // Few distinct positions and times, so ties (the edges of every rule) are common: in 1/100,000 of the
      // video, or (negative) in ms before its end, around the default resume rules' 5 %, 90 % and 30 s.
      position: fc.oneof(
        fc.constantFrom(0, 4_999, 5_000, 10_000, 50_000, 90_000, 90_001, 100_000, -30_000, -30_001, -29_999),
        fc.integer({ min: 0, max: 100_000 }),
      ),
      // Shorter and longer than the default 300 s that a resume point needs.
      durationSec: fc.constantFrom(100, 100.5, 300, 3600.5),
      at: fc.integer({ min: 0, max: 8 }),
      kind: fc.constantFrom('progress' as const, 'seek' as const),
    })
    .map((r): Mutation => {
      const positionSec = r.position >= 0 ? (r.position / 100_000) * r.durationSec : Math.max(0, r.durationSec + r.position / 1000);
      return { event: 'watch:report', request: { seq: 0, videoId: r.videoId, positionSec, durationSec: r.durationSec, at: BASE + r.at * 1000, kind: r.kind } };
    }),
);

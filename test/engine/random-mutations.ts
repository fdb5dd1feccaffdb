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
      // Few distinct positions and times, so ties (the edges of every rule) are common.
      position: fc.oneof(fc.constantFrom(0, 10_000, 50_000, 94_999, 95_000, 100_000), fc.integer({ min: 0, max: 100_000 })),
      durationSec: fc.constantFrom(100, 100.5),
      at: fc.integer({ min: 0, max: 8 }),
      kind: fc.constantFrom('progress' as const, 'seek' as const),
    })
    .map(
      (r): Mutation => ({
        event: 'watch:report',
        request: { seq: 0, videoId: r.videoId, positionSec: (r.position / 100_000) * r.durationSec, durationSec: r.durationSec, at: BASE + r.at * 1000, kind: r.kind },
      }),
    ),
);

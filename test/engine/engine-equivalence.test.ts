import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../client-sdk/src/protocol/index.ts';
import type { Engine } from '../../server/engine/engine.ts';
import { createMemoryEngine } from '../../server/engine/memory/memory-engine.ts';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { createRedisEngine } from '../../server/engine/redis/redis-engine.ts';
import { SyncError } from '../../server/errors.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connect, ROOMY, uniqueUser, type TestDevice } from './contract/harness.ts';

/** One step of a random session: a device sends a mutation with a chosen seq. */
interface Step {
  device: 0 | 1;
  seq: number;
  mutation: Mutation;
}

// Event times well in the past (the server clamps only future ones), as offsets from a base.
const BASE = Date.now() - 86_400_000;
const sku = fc.constantFrom('a', 'b', 'c');
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
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
const steps = fc.array(
  fc.record({ device: fc.constantFrom(0 as const, 1 as const), seqDelta: fc.constantFrom(-1, 0, 1, 1, 1, 2), mutation }),
  { minLength: 1, maxLength: 25 },
);

/** What an engine answered, without the parts that depend on the store (epoch, commit time). */
async function outcome(device: TestDevice, step: Step) {
  try {
    const result = await device.sendAt(step.seq, step.mutation.event, step.mutation.request);
    return { duplicate: result.duplicate, version: result.version, op: result.change?.op, seq: result.change?.seq };
  } catch (err) {
    return { error: err instanceof SyncError ? err.code : String(err) };
  }
}

describe('memory and Redis engines', () => {
  let server: RedisServer;
  let redisEngine: Engine;
  let memoryEngine: Engine;

  beforeAll(async () => {
    server = await startRedis({ appendOnly: false });
    const redis = createRedisClient({ url: server.url, role: 'commands' });
    await waitForReady(redis);
    redisEngine = createRedisEngine({ ...ROOMY, redis });
    memoryEngine = createMemoryEngine(ROOMY);
  });
  afterAll(async () => {
    await redisEngine?.close();
    await server?.stop();
  });

  it('answer every random session of mutations identically, and end in the same state', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (plan) => {
        const user = uniqueUser();
        const pairs = await Promise.all(
          [memoryEngine, redisEngine].map(async (engine) => [await connect(engine, user, 'd0'), await connect(engine, user, 'd1')] as const),
        );
        const seqs = [0, 0];
        for (const { device, seqDelta, mutation: m } of plan) {
          seqs[device] = Math.max(1, (seqs[device] ?? 0) + seqDelta);
          const step: Step = { device, seq: seqs[device] ?? 1, mutation: m };
          const [memory, redis] = await Promise.all(pairs.map((pair) => outcome(pair[device], step)));
          expect(redis).toEqual(memory);
        }
        const [memoryState, redisState] = await Promise.all([memoryEngine.sync(user, null), redisEngine.sync(user, null)]);
        expect({ ...redisState, epoch: '' }).toEqual({ ...memoryState, epoch: '' });
      }),
      { numRuns: 60 },
    );
  });
});

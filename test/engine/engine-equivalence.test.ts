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
import { mutation } from './random-mutations.ts';

/** One step of a random session: a device sends a mutation with a chosen seq. */
interface Step {
  device: 0 | 1;
  seq: number;
  mutation: Mutation;
}

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

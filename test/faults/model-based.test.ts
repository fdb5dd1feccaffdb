import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createMemoryEngine } from '../../server/engine/memory/memory-engine.ts';
import { createRedisClient, waitForReady } from '../../server/engine/redis/redis-client.ts';
import { createRedisEngine } from '../../server/engine/redis/redis-engine.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connectAll, engineCommands, finalCheck } from './model/commands.ts';
import { createWorld, type Real } from './model/world.ts';

const OPTIONS = { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 }, maxDevices: 10 };
const seed = process.env.SEED === undefined ? undefined : Number(process.env.SEED);

/**
 * Model-based tests of the single-node core: random command sequences (mutations with fresh, resent and
 * skipped seqs, malformed requests, syncs from any version or a wrong epoch, reconnects that supersede a
 * connection, revocations, a full cart, and for Redis a store that loses its data) run against an engine and
 * against test/faults/harness/model.ts, the same model the cluster scenarios check the final state with.
 * Replay a failure with SEED=<seed> (fast-check prints it with the shrunk counterexample).
 */
describe('engine against the model', () => {
  it('memory engine answers every command as the model does', async () => {
    await fc.assert(
      fc.asyncProperty(engineCommands({ withWipe: false, maxCommands: 80 }), async (cmds) => {
        const world = createWorld();
        const real: Real = { engine: createMemoryEngine(OPTIONS), wipe: null };
        await connectAll(world, real);
        await fc.asyncModelRun(() => ({ model: world, real }), cmds);
        await finalCheck(world, real);
      }),
      { numRuns: 150, seed },
    );
    // A bound for a loaded machine, not a speed target: quiet, this takes a few seconds.
  }, 120_000);

  describe('redis engine', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      // Persistence is irrelevant here and fsync on every write would only slow the runs down.
      redis = await startRedis({ appendOnly: false });
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('answers every command as the model does, including after the store lost its data', async () => {
      const client = createRedisClient({ url: redis.url, role: 'commands' });
      await waitForReady(client);
      const engine = createRedisEngine({ ...OPTIONS, redis: client });
      const wipe = async () => {
        await client.flushall();
      };
      try {
        await fc.assert(
          fc.asyncProperty(engineCommands({ withWipe: true, maxCommands: 60 }), async (cmds) => {
            await wipe();
            const world = createWorld();
            const real: Real = { engine, wipe };
            await connectAll(world, real);
            await fc.asyncModelRun(() => ({ model: world, real }), cmds);
            await finalCheck(world, real);
          }),
          { numRuns: 60, seed },
        );
      } finally {
        await engine.close();
      }
    }, 120_000);
  });
});

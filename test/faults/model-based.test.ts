import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createMemoryEngine } from '../../server/engine/memory/memory-engine.ts';
import { connectAll, engineCommands, finalCheck } from './model/commands.ts';
import { createWorld, type Real } from './model/world.ts';

const OPTIONS = { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 }, maxDevices: 10 };
const seed = process.env.SEED === undefined ? undefined : Number(process.env.SEED);

/**
 * Model-based tests of the single-node core: random command sequences (mutations with fresh, resent and
 * skipped seqs, syncs from any version, reconnects that supersede a connection, revocations, a full cart,
 * and for Redis a store that loses its data) run against an engine and against test/faults/harness/model.ts,
 * the same model the cluster scenarios check the final server state with. Replay a failure with SEED=<seed>.
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
  });
});

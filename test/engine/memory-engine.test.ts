import { createMemoryEngine } from '../../server/engine/memory/memory-engine.ts';
import type { Engine, EngineOptions } from '../../server/engine/engine.ts';
import { engineContract } from './engine-contract.ts';

engineContract('memory', () => {
  // A memory node's store is the engine itself: "several connections" share it, losing data is a restart.
  const optionsOf = new WeakMap<Engine, EngineOptions>();
  return {
    async createEngines(options, count) {
      const engine = createMemoryEngine(options);
      optionsOf.set(engine, options);
      return Array.from({ length: count }, () => engine);
    },
    async loseData(engine) {
      await engine.close();
      return createMemoryEngine(optionsOf.get(engine) ?? { rateLimit: { perSecond: 1000, burst: 1000 }, maxDevices: 10 });
    },
  };
});

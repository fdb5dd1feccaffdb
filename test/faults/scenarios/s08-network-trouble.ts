import { startChaosProxy, type ChaosMode } from '../harness/chaos-proxy.ts';
import { finish } from '../harness/finish.ts';
import { check, type Scenario } from '../harness/scenario.ts';
import { ms, pause } from '../harness/stats.ts';
import { setup } from './common.ts';

/** 200 ± 50 ms per frame, and per connection per second: resets, stalls, black holes; some duplicates and reorders. */
const TROUBLE: ChaosMode = {
  delayMs: 200,
  jitterMs: 50,
  duplicateRate: 0.05,
  reorderRate: 0.1,
  resetPerSec: 0.03,
  stallPerSec: 0.03,
  blackholePerSec: 0.01,
};

/**
 * Issue 5, scenario 8: network trouble between one node and its clients, through a chaos proxy (see
 * harness/chaos-proxy.ts for why a frame-aware proxy and not `tc netem`, which this kernel lacks). Half of
 * those clients can only reach the cluster through the proxy; the other half may fail over to the others.
 */
export const networkTrouble: Scenario = {
  id: 'network-trouble',
  number: 8,
  title: 'network trouble on one node\'s clients (delay, stalls, resets, black holes, duplicates, reorders)',
  async run(ctx) {
    const troubleMs = Math.round(20_000 * Math.max(1, ctx.scale));
    let proxyStats: (() => string) | null = null;
    let stopTrouble: (() => void) | null = null;
    let behind = 0;
    const { cluster, driver } = await setup(ctx, {
      clients: Math.round(120 * ctx.scale),
      async prepare(c, d) {
        const target = c.gateways[0];
        if (!target) throw new Error('no gateway');
        const proxy = await startChaosProxy({ targetPort: target.port, rng: ctx.rng.fork() });
        ctx.cleanup.add('chaos proxy', () => proxy.close());
        proxyStats = () => {
          const s = proxy.stats;
          return `${s.connections} connections, ${s.frames} frames, ${s.duplicated} duplicated, ${s.reordered} reordered, ${s.resets} resets, ${s.stalls} stalls, ${s.blackholes} black holes`;
        };
        stopTrouble = () => proxy.setMode(null);
        const home = d.clients.filter((sim) => sim.homeIndex === 0);
        home.forEach((sim, i) => {
          sim.urls = i % 2 === 0 ? [proxy.url] : [proxy.url, ...c.urls.slice(1)];
        });
        behind = home.length;
        proxy.setMode(TROUBLE);
      },
    });
    driver.startWorkload({ perClientPerSec: 0.5 });
    ctx.note(`trouble on ${behind} clients for ${ms(troubleMs)}`);
    await pause(troubleMs);
    // setup()'s prepare hook ran, so these are set; the casts only tell TypeScript so.
    (stopTrouble as (() => void) | null)?.();
    const endedAt = Date.now();
    const stats = (proxyStats as (() => string) | null)?.() ?? '';
    ctx.note(`trouble over: ${stats}`);
    await pause(1000);
    driver.stopWorkload();
    const result = await finish({ cluster, driver, quietAt: endedAt, convergeBarMs: 5000, faults: 1 });
    result.figures = { ...result.figures, 'behind the proxy': behind, proxy: stats };
    result.checks.push(check('the trouble was real (resets, stalls and duplicates happened)', /[1-9]\d* resets/.test(stats) && /[1-9]\d* duplicated/.test(stats), stats));
    return result;
  },
};

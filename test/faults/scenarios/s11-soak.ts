import { readFileSync } from 'node:fs';
import type { GatewayProcess } from '../../support/gateway-process.ts';
import { finish } from '../harness/finish.ts';
import { check, type Check, type Scenario } from '../harness/scenario.ts';
import { ms, pause } from '../harness/stats.ts';
import { setup } from './common.ts';

interface Sample {
  at: number;
  rssMb: number;
  heapMb: number;
  connections: number;
}

function rssMb(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function sample(node: GatewayProcess): Promise<Sample> {
  const text = await fetch(`${node.adminUrl}/metrics`).then((r) => r.text(), () => '');
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { at: Date.now(), rssMb: rssMb(node.pid), heapMb: metric('nodejs_heap_size_used_bytes') / 1e6, connections: metric('tandem_connections') };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/**
 * Issue 5, scenario 11 (`--soak` only): ten minutes of writes and connection churn on three nodes (app restarts
 * on the same storage, offline/online flips): memory flat after warm-up, no MaxListeners warning, connection
 * gauges back to the real count when idle, and the shared invariants at the end.
 */
export const soak: Scenario = {
  id: 'soak',
  number: 11,
  title: 'soak: 10 minutes of churn and writes (memory, listeners, gauges)',
  soak: true,
  async run(ctx) {
    const durationMs = Math.round(600_000 * ctx.scale);
    const warmupMs = Math.round(durationMs * 0.2);
    const { cluster, driver } = await setup(ctx, { clients: 150 });
    const samples = new Map<string, Sample[]>(cluster.gateways.map((g) => [g.nodeId, []]));
    const warnings = new Set<string>();
    const start = Date.now();
    driver.startWorkload({ perClientPerSec: 0.3 });
    let churned = 0;
    let flips = 0;
    let nextSample = start;
    while (Date.now() - start < durationMs) {
      for (const sim of driver.clients) {
        if (!sim.active || sim.retired) continue;
        if (sim.rng.chance(0.005)) {
          void driver.restart(sim);
          churned += 1;
        } else if (sim.rng.chance(0.002)) {
          flips += 1;
          sim.client.goOffline();
          setTimeout(() => sim.client.goOnline(), 2000);
        }
      }
      if (Date.now() >= nextSample) {
        nextSample += 10_000;
        for (const node of cluster.gateways) {
          samples.get(node.nodeId)?.push(await sample(node));
          for (const line of node.logs()) if (/MaxListenersExceeded|memory leak/i.test(line)) warnings.add(line.slice(0, 200));
        }
        ctx.note(`soak ${ms(Date.now() - start)}: ${driver.operations()} operations, ${churned} restarts, ${flips} offline flips; RSS ${cluster.gateways.map((g) => (samples.get(g.nodeId)?.at(-1)?.rssMb ?? 0).toFixed(0)).join('/')} MB`);
      }
      await pause(1000);
    }
    driver.stopWorkload();
    const quietAt = Date.now();
    const result = await finish({ cluster, driver, quietAt, faults: churned + flips, giveUpMs: 30_000 });
    await pause(2000);
    const checks: Check[] = [];
    const connected = driver.clients.filter((c) => !c.retired && c.client.status === 'connected').length;
    let gauges = 0;
    for (const node of cluster.gateways) {
      const idle = await sample(node);
      gauges += idle.connections;
      const list = (samples.get(node.nodeId) ?? []).filter((s) => s.at - start >= warmupMs);
      // First and last minute after warm-up. Heap used swings with every collection: its floor (the minimum
      // of a window) is what a leak raises; RSS moves slowly, its mean will do.
      const head = list.slice(0, 6);
      const tail = list.slice(-6);
      const floor = (xs: Sample[]) => Math.min(...xs.map((s) => s.heapMb));
      const rssGrowth = mean(tail.map((s) => s.rssMb)) / mean(head.map((s) => s.rssMb)) - 1;
      const heapGrowth = floor(tail) / floor(head) - 1;
      checks.push(
        check(`${node.nodeId}: RSS growth after warm-up ≤ 10%`, rssGrowth <= 0.1, `${(rssGrowth * 100).toFixed(1)}% (${mean(head.map((s) => s.rssMb)).toFixed(0)} → ${mean(tail.map((s) => s.rssMb)).toFixed(0)} MB)`),
        check(`${node.nodeId}: heap growth after warm-up ≤ 10%`, heapGrowth <= 0.1, `${(heapGrowth * 100).toFixed(1)}% (floor ${floor(head).toFixed(0)} → ${floor(tail).toFixed(0)} MB)`),
      );
      result.figures[`${node.nodeId} RSS`] = `${mean(head.map((s) => s.rssMb)).toFixed(0)} → ${mean(tail.map((s) => s.rssMb)).toFixed(0)} MB`;
    }
    checks.push(
      check('no MaxListeners warning', warnings.size === 0, [...warnings][0] ?? 'none'),
      check('connection gauges equal the connected clients when idle', gauges === connected, `gauges ${gauges}, connected clients ${connected}`),
    );
    result.checks.push(...checks);
    result.figures = { ...result.figures, duration: ms(durationMs), restarts: churned, 'offline flips': flips };
    return result;
  },
};

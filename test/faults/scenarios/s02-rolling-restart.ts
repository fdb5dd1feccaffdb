import type { SimClient } from '../harness/client-driver.ts';
import type { FaultCluster } from '../harness/cluster.ts';
import { finish } from '../harness/finish.ts';
import { bar, check, type Check, type Scenario } from '../harness/scenario.ts';
import { maxShareInWindow, ms, pause, percentile } from '../harness/stats.ts';
import { setup } from './common.ts';

interface DrainRound {
  label: string;
  clients: SimClient[];
  sigtermAt: number;
  exitMs: number[];
}

/** Reconnect instants of `clients` after `since` (absolute ms), and how many never came back. */
function reconnects(clients: readonly SimClient[], since: number): { at: number[]; missing: number } {
  const at: number[] = [];
  let missing = 0;
  for (const c of clients) {
    const back = c.statusLog.find((s) => s.at >= since && s.status === 'connected');
    if (back) at.push(back.at);
    else missing++;
  }
  return { at, missing };
}

async function drain(cluster: FaultCluster, indexes: number[], label: string): Promise<DrainRound> {
  const sigtermAt = Date.now();
  const exits = await Promise.all(
    indexes.map(async (i) => {
      await cluster.killNode(i, 'SIGTERM');
      return Date.now() - sigtermAt;
    }),
  );
  return { label, clients: [], sigtermAt, exitMs: exits };
}

/** Issue 5, scenario 2: SIGTERM drain of the three nodes one after another, then of all three at once. */
export const rollingRestart: Scenario = {
  id: 'rolling-restart',
  number: 2,
  title: 'rolling restart with SIGTERM drain, then all nodes at once',
  async run(ctx) {
    const { cluster, driver } = await setup(ctx, { clients: Math.round(300 * ctx.scale) });
    driver.startWorkload({ perClientPerSec: 0.5 });
    await pause(3000);
    const rounds: DrainRound[] = [];
    for (let i = 0; i < cluster.gateways.length; i++) {
      const nodeId = cluster.gateways[i]?.nodeId;
      const on = driver.clients.filter((c) => c.client.nodeId === nodeId);
      const round = await drain(cluster, [i], `drain ${nodeId}`);
      round.clients = on;
      rounds.push(round);
      ctx.note(`${nodeId}: SIGTERM → exit in ${ms(round.exitMs[0] ?? null)}, ${on.length} clients moved`);
      await cluster.restartNode(i);
      ctx.note(`${nodeId} restarted`);
    }
    const all = driver.clients.filter((c) => c.client.status === 'connected');
    const together = await drain(cluster, cluster.gateways.map((_, i) => i), 'all at once');
    together.clients = all;
    rounds.push(together);
    ctx.note(`all nodes: SIGTERM → exits in ${together.exitMs.map((e) => ms(e)).join(', ')}`);
    await Promise.all(cluster.gateways.map((_, i) => cluster.restartNode(i)));
    ctx.note('all nodes restarted');
    await pause(2000);
    driver.stopWorkload();
    const quietAt = Date.now();

    const result = await finish({ cluster, driver, quietAt, faults: rounds.length });
    // Measured after finish(): by then every client that was going to come back has.
    const checks: Check[] = [];
    const figures: Record<string, string | number | null> = {};
    for (const round of rounds) {
      const { at, missing } = reconnects(round.clients, round.sigtermAt);
      const delays = at.map((t) => t - round.sigtermAt);
      const share = maxShareInWindow(at, 500);
      const slowest = percentile(delays, 100);
      const rolling = round.label !== 'all at once';
      // A rolling drain moves clients to live nodes; with every node draining they also wait for the restarts.
      if (rolling) {
        checks.push(bar(`${round.label}: its clients reconnected within 5 s`, missing === 0 && (slowest ?? 0) <= 5000, `${round.clients.length - missing}/${round.clients.length}, slowest ${ms(slowest)}`));
      } else {
        checks.push(check(`${round.label}: every client reconnected`, missing === 0, `${round.clients.length - missing}/${round.clients.length}, slowest ${ms(slowest)}`));
      }
      checks.push(bar(`${round.label}: the process was gone within 10 s`, round.exitMs.every((e) => e <= 10_000), round.exitMs.map((e) => ms(e)).join(', ')));
      checks.push(bar(`${round.label}: at most 40% of reconnects in any 500 ms`, share <= 0.4, `${Math.round(share * 100)}% of ${at.length}`));
      figures[`${round.label} p50/p99`] = `${ms(percentile(delays, 50))}/${ms(percentile(delays, 99))}`;
      figures[`${round.label} peak 500 ms share`] = `${Math.round(share * 100)}%`;
    }
    const failed = driver.ops.filter((r) => r.status === 'rejected');
    checks.push(check('no mutation failed during the migrations', failed.length === 0, `${failed.length} refused (${[...new Set(failed.map((f) => f.code))].join(', ')})`));
    result.checks.push(...checks);
    result.figures = { ...result.figures, ...figures };
    return result;
  },
};

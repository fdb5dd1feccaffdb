import { Cluster } from 'ioredis';
import { finish } from '../harness/finish.ts';
import type { Scenario } from '../harness/scenario.ts';
import { ms, pause } from '../harness/stats.ts';
import { setup } from './common.ts';
import { lossChecks, missedVersions, reportedLoss } from './store-regression.ts';

/**
 * Issue 13: Redis Cluster with 3 primaries and 3 replicas, kill -9 of one primary under writes. The cluster
 * promotes its replica by itself; the nodes follow (slots refresh), the users of that shard fork their logs
 * in the promoted replica's history, and every device converges on it with no silent loss.
 */
export const clusterFailover: Scenario = {
  id: 'cluster-failover',
  number: 14,
  title: 'Redis Cluster 3 primaries + 3 replicas: kill -9 of a primary under writes',
  async run(ctx) {
    const { cluster, driver } = await setup(ctx, { clients: Math.round(90 * ctx.scale), cluster: { redisCluster: true, clusterReplicas: 1 } });
    const rc = cluster.redisCluster;
    if (!rc) throw new Error('needs a Redis Cluster');
    await rc.waitHealthy();
    driver.startWorkload({ perClientPerSec: 1 });
    await pause(3000);
    const [victim] = rc.primaries();
    if (!victim) throw new Error('no primary');
    const killAt = Date.now();
    await victim.kill();
    ctx.note(`primary ${victim.port} killed (kill -9) after ${driver.operations()} operations`);
    const promoted = await rc.waitForPromotion(victim, 20_000);
    const promotedAt = Date.now();
    ctx.note(`replica ${promoted.port} promoted ${ms(promotedAt - killAt)} after the kill`);
    await pause(1000);
    driver.stopWorkload();
    const quietAt = Date.now();
    const result = await finish({ cluster, driver, quietAt, faults: 1, convergeBarMs: 5000, regressionExpected: true });
    const current = new Cluster(rc.seeds.filter((s) => !s.endsWith(`:${victim.port}`)).map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) })));
    current.on('error', () => undefined);
    let missed: number;
    try {
      missed = await missedVersions(victim.dir, current, [...new Set(driver.clients.map((c) => c.userId))]);
    } finally {
      current.disconnect();
    }
    const reported = await reportedLoss(cluster);
    const ackedLost = Number(result.figures['acked lost, reported to the app'] ?? 0);
    result.checks.push(...lossChecks({ driver, reported, missed, ackedLost, durable: false }));
    result.figures = {
      ...result.figures,
      'promotion after kill': ms(promotedAt - killAt),
      'converged after kill': result.convergedWithinMs === null ? 'never' : ms(quietAt - killAt + result.convergedWithinMs),
      'missed by the promoted replica': missed,
      'counted lost (metric)': reported,
    };
    return result;
  },
};

import { Redis } from 'ioredis';
import { finish } from '../harness/finish.ts';
import { check, type Scenario } from '../harness/scenario.ts';
import { ms, pause } from '../harness/stats.ts';
import { setup } from './common.ts';
import { reportedLoss } from './store-regression.ts';

/**
 * Issue 13: a replica promoted while every device stays connected to live gateway nodes (`SENTINEL FAILOVER`
 * under writes: nothing dies). The nodes notice the new replication history, every device (readers included)
 * resyncs and equals the server; what the old primary accepted after the promotion is lost, counted and reported.
 */
export const replicaPromoted: Scenario = {
  id: 'replica-promoted',
  number: 16,
  title: 'Sentinel: a replica promoted (SENTINEL FAILOVER) under writes, every gateway alive',
  async run(ctx) {
    const readers = (sim: { deviceId: string }) => sim.deviceId.endsWith('-d2');
    const { cluster, driver } = await setup(ctx, { clients: Math.round(90 * ctx.scale), cluster: { sentinel: { replicas: 2 } }, idle: readers });
    const ha = cluster.sentinel;
    if (!ha) throw new Error('needs Sentinel');
    driver.startWorkload({ perClientPerSec: 1 });
    await pause(3000);
    const oldPort = await ha.currentPrimaryPort();
    const sentinelPort = Number(ha.sentinels[0]?.split(':')[1]);
    const admin = new Redis({ host: '127.0.0.1', port: sentinelPort, maxRetriesPerRequest: 1 });
    const startAt = Date.now();
    try {
      await admin.call('SENTINEL', 'FAILOVER', ha.name);
    } finally {
      admin.disconnect();
    }
    const newPort = await ha.waitForPromotion(oldPort, 20_000);
    const promotedAt = Date.now();
    ctx.note(`replica ${newPort} promoted ${ms(promotedAt - startAt)} after SENTINEL FAILOVER (old primary ${oldPort} now a replica)`);
    await pause(1000);
    driver.stopWorkload();
    const quietAt = Date.now();
    const result = await finish({ cluster, driver, quietAt, faults: 1, convergeBarMs: 5000, regressionExpected: true });
    const reported = await reportedLoss(cluster);
    const ackedLost = Number(result.figures['acked lost, reported to the app'] ?? 0);
    // Sentinel's failover does not stop the old primary at once: what it accepts until it is turned into a
    // replica is lost (the old primary cannot be read afterwards). It must all be counted and reported.
    const told = driver.clients.filter((c) => c.lost.length > 0).length;
    result.checks.push(check('every acknowledged change lost in the failover is counted and reported to the app', ackedLost <= reported, `counted ${reported}, acknowledged and reported ${ackedLost} (${told} device(s) told)`));
    const stayed = driver.clients.filter((c) => !c.statusLog.some((s) => s.at >= startAt && s.status !== 'connected')).length;
    result.figures = {
      ...result.figures,
      'promotion after SENTINEL FAILOVER': ms(promotedAt - startAt),
      'converged after the failover began': result.convergedWithinMs === null ? 'never' : ms(quietAt - startAt + result.convergedWithinMs),
      'devices that never left connected': stayed,
      'counted lost (metric)': reported,
    };
    return result;
  },
};

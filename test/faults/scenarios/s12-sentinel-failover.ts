import { Redis } from 'ioredis';
import { finish } from '../harness/finish.ts';
import type { Scenario } from '../harness/scenario.ts';
import { ms, pause, percentile } from '../harness/stats.ts';
import { setup } from './common.ts';
import { lossChecks, missedVersions, reportedLoss } from './store-regression.ts';

/**
 * Issue 13: Redis behind Sentinel (1 primary, 2 replicas, 3 sentinels, down-after 1 s), kill -9 of the primary
 * under write load. The replicas stop following 400 ms before (frozen, links cut by the primary), so the promoted one
 * misses the last writes. With REDIS_MIN_REPLICAS_ACK=1 nothing acknowledged may be lost; with 0 every device
 * converges and the loss the nodes count is what the new primary missed.
 */
function sentinelFailover(minReplicasAck: 0 | 1): Scenario {
  return {
    id: minReplicasAck === 1 ? 'sentinel-durable' : 'sentinel-failover',
    number: minReplicasAck === 1 ? 12 : 13,
    title: `Sentinel: kill -9 of the primary under writes (REDIS_MIN_REPLICAS_ACK=${minReplicasAck}); replicas lag just before`,
    async run(ctx) {
      const env = { REDIS_MIN_REPLICAS_ACK: String(minReplicasAck), REDIS_REPLICAS_ACK_TIMEOUT_MS: '300', REDIS_COMMAND_TIMEOUT_MS: '1000' };
      const readers = (sim: { deviceId: string }) => sim.deviceId.endsWith('-d2');
      const { cluster, driver } = await setup(ctx, { clients: Math.round(90 * ctx.scale), cluster: { sentinel: { replicas: 2 }, env }, idle: readers });
      const ha = cluster.sentinel;
      if (!ha) throw new Error('needs Sentinel');
      driver.startWorkload({ perClientPerSec: 1 });
      await pause(3000);

      const oldPort = await ha.currentPrimaryPort();
      const primary = ha.server(oldPort);
      const replicas = ha.servers.filter((s) => s.port !== oldPort);
      // The replicas stop following: frozen, and their links cut on the primary's side, so what the primary
      // commits from now on never reaches them (bytes already sent would still be read after a thaw).
      for (const r of replicas) r.signal('SIGSTOP');
      const admin = new Redis({ host: '127.0.0.1', port: oldPort, maxRetriesPerRequest: 1 });
      try {
        await admin.call('CLIENT', 'KILL', 'TYPE', 'replica');
      } finally {
        admin.disconnect();
      }
      await pause(400);
      const killAt = Date.now();
      await primary.kill();
      for (const r of replicas) r.signal('SIGCONT');
      ctx.note(`primary ${oldPort} killed (kill -9) after ${driver.operations()} operations, replicas cut off 400 ms before`);
      const newPort = await ha.waitForPromotion(oldPort, 20_000);
      const promotedAt = Date.now();
      ctx.note(`the Sentinels promoted ${newPort} ${ms(promotedAt - killAt)} after the kill`);
      await pause(1000);
      driver.stopWorkload();
      const quietAt = Date.now();
      const result = await finish({ cluster, driver, quietAt, faults: 1, convergeBarMs: 5000, regressionExpected: true });

      const current = new Redis({ host: '127.0.0.1', port: newPort });
      let missed: number;
      try {
        missed = await missedVersions(primary.dir, current, [...new Set(driver.clients.map((c) => c.userId))]);
      } finally {
        current.disconnect();
      }
      const reported = await reportedLoss(cluster);
      const ackedLost = Number(result.figures['acked lost, reported to the app'] ?? 0);
      result.checks.push(...lossChecks({ driver, reported, missed, ackedLost, durable: minReplicasAck === 1 }));
      const told = driver.clients.flatMap((c) => c.statusLog.filter((s) => s.at >= killAt && s.status === 'connected').slice(0, 1).map((s) => s.at - killAt));
      result.figures = {
        ...result.figures,
        'promotion after kill': ms(promotedAt - killAt),
        'converged after kill': result.convergedWithinMs === null ? 'never' : ms(quietAt - killAt + result.convergedWithinMs),
        // The writes go on for 1 s after the promotion: no device can equal the server before they stop.
        'converged after promotion': result.convergedWithinMs === null ? 'never' : ms(quietAt - promotedAt + result.convergedWithinMs),
        'reconnected p99 after kill': ms(percentile(told, 99)),
        'missed by the new primary': missed,
        'counted lost (metric)': reported,
      };
      return result;
    },
  };
}

export const sentinelDurable = sentinelFailover(1);
export const sentinelAsync = sentinelFailover(0);

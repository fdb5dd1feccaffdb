import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { finish } from '../harness/finish.ts';
import type { Scenario } from '../harness/scenario.ts';
import { ms, pause } from '../harness/stats.ts';
import { setup } from './common.ts';
import { lossChecks, missedVersions, reportedLoss } from './store-regression.ts';

/**
 * Issue 13: restore from an older backup. A copy of the append-only files, more writes, then Redis is restarted
 * from that older copy: every device converges on the restored state and the
 * acknowledged changes made after the snapshot are reported lost, never silently kept on a device.
 */
export const restoreBackup: Scenario = {
  id: 'restore-backup',
  number: 15,
  title: 'Redis restored from an older backup (snapshot, more writes, restart from the snapshot)',
  async run(ctx) {
    const readers = (sim: { deviceId: string }) => sim.deviceId.endsWith('-d2');
    const { cluster, driver } = await setup(ctx, { clients: Math.round(90 * ctx.scale), idle: readers });
    const redis = cluster.redis;
    if (!redis) throw new Error('needs one redis-server');
    driver.startWorkload({ perClientPerSec: 1 });
    await pause(2500);
    const admin = new Redis(redis.url);
    const backup = mkdtempSync(join(tmpdir(), 'tandem-backup-'));
    const before = mkdtempSync(join(tmpdir(), 'tandem-before-restore-'));
    try {
      // The backup: a copy of the append-only files as they are now (fsync always; a command cut in half at
      // the end is dropped on load, aof-load-truncated).
      cpSync(join(redis.dir, 'appendonlydir'), join(backup, 'appendonlydir'), { recursive: true });
      ctx.note(`backup taken after ${driver.operations()} operations`);
      await pause(2000);
      admin.disconnect();
      const restoreAt = Date.now();
      await redis.kill();
      // What the store held before the restore, to measure what the backup lacks.
      cpSync(redis.dir, before, { recursive: true });
      rmSync(join(redis.dir, 'appendonlydir'), { recursive: true, force: true });
      cpSync(join(backup, 'appendonlydir'), join(redis.dir, 'appendonlydir'), { recursive: true });
      await cluster.restartRedis();
      const restoredAt = Date.now();
      ctx.note(`redis restarted from the backup ${ms(restoredAt - restoreAt)} after the kill`);
      await pause(1500);
      driver.stopWorkload();
      const quietAt = Date.now();
      const result = await finish({ cluster, driver, quietAt, faults: 1, convergeBarMs: 5000, regressionExpected: true });
      const current = new Redis(redis.url);
      let missed: number;
      try {
        missed = await missedVersions(before, current, [...new Set(driver.clients.map((c) => c.userId))]);
      } finally {
        current.disconnect();
      }
      const reported = await reportedLoss(cluster);
      const ackedLost = Number(result.figures['acked lost, reported to the app'] ?? 0);
      result.checks.push(...lossChecks({ driver, reported, missed, ackedLost, durable: false }));
      result.figures = {
        ...result.figures,
        'converged after restart': result.convergedWithinMs === null ? 'never' : ms(quietAt - restoredAt + result.convergedWithinMs),
        'missed by the backup': missed,
        'counted lost (metric)': reported,
      };
      return result;
    } finally {
      admin.disconnect();
      rmSync(backup, { recursive: true, force: true });
      rmSync(before, { recursive: true, force: true });
    }
  },
};

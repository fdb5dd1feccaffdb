import { finish } from '../harness/finish.ts';
import { bar, check, type Scenario } from '../harness/scenario.ts';
import { ms, pause, percentile, waitUntil } from '../harness/stats.ts';
import { setup } from './common.ts';

/**
 * Issue 5, scenario 4: Redis restarted empty. Every client must notice the new epoch and resync (one device
 * of every user only reads, and two users have no writer at all, so they can learn of the loss only from the
 * server), the outboxes re-apply what was pending, and no device keeps showing state the server no longer has.
 */
export const redisWipe: Scenario = {
  id: 'redis-wipe',
  number: 4,
  title: 'Redis restarted empty (data lost): new epoch, resync, outboxes re-applied',
  async run(ctx) {
    // Readers: the second device of every user, and both devices of the first two users (nobody writes there).
    const readers = (sim: { userId: string; deviceId: string }) => sim.deviceId.endsWith('-d2') || ['u0000', 'u0001'].includes(sim.userId);
    const { cluster, driver } = await setup(ctx, { clients: Math.round(150 * ctx.scale), idle: readers });
    // The all-reader users need something on the server to lose: one write each before the workload starts.
    for (const sim of driver.clients.filter((c) => ['u0000-d1', 'u0001-d1'].includes(c.id))) driver.issue(sim);
    driver.startWorkload({ perClientPerSec: 0.5 });
    await pause(4000);
    const before = new Map(driver.clients.map((c) => [c.id, c.client.epoch]));
    const wipeAt = Date.now();
    await cluster.restartRedis({ wipe: true });
    const readyAt = Date.now();
    ctx.note(`redis restarted EMPTY in ${ms(readyAt - wipeAt)} after ${driver.operations()} operations`);
    const detected = new Map<string, number>();
    await waitUntil(() => {
      for (const c of driver.clients) {
        if (!detected.has(c.id) && c.client.epoch !== null && c.client.epoch !== before.get(c.id)) detected.set(c.id, Date.now() - readyAt);
      }
      return detected.size === driver.clients.length;
    }, 15_000, 20);
    const times = [...detected.values()];
    const idle = driver.clients.filter((c) => !c.active);
    const idleDetected = idle.filter((c) => detected.has(c.id)).length;
    ctx.note(`${detected.size}/${driver.clients.length} clients on the new epoch (readers ${idleDetected}/${idle.length}), p99 ${ms(percentile(times, 99))}`);
    await pause(Math.max(0, readyAt + 5000 - Date.now()));
    driver.stopWorkload();
    const quietAt = Date.now();
    const result = await finish({ cluster, driver, quietAt, faults: 1, storeWipedAt: readyAt });
    const within5 = times.filter((t) => t <= 5000).length;
    result.checks.push(
      bar('every client detected the new epoch and resynced within 5 s', within5 === driver.clients.length, `${within5}/${driver.clients.length} within 5 s (readers ${idleDetected}/${idle.length} at all)`),
    );
    result.figures = { ...result.figures, 'detect p50': ms(percentile(times, 50)), 'detect p99': ms(percentile(times, 99)), readers: idle.length };
    return result;
  },
};

import { check, type Scenario } from '../harness/scenario.ts';
import { finish } from '../harness/finish.ts';
import { ms, pause } from '../harness/stats.ts';
import { reconnectFigures, reconnectTimes, setup } from './common.ts';

/** Issue 5, scenario 1: kill -9 one of three gateways while every client is writing. */
export const nodeKill: Scenario = {
  id: 'node-kill',
  number: 1,
  title: 'kill -9 one of three gateways while the clients write',
  async run(ctx) {
    const clients = Math.round(600 * ctx.scale);
    const { cluster, driver } = await setup(ctx, { clients });
    driver.startWorkload({ perClientPerSec: 0.5 });
    await pause(4000);
    const victim = cluster.gateways[0];
    if (!victim) throw new Error('no gateway');
    const affected = driver.clients.filter((c) => c.client.nodeId === victim.nodeId);
    const killAt = Date.now();
    await cluster.killNode(0, 'SIGKILL');
    ctx.note(`killed ${victim.nodeId} (kill -9) with ${affected.length} clients on it, ${driver.operations()} operations so far`);
    await pause(6000);
    driver.stopWorkload();
    const quietAt = Date.now();
    const times = reconnectTimes(affected, killAt);
    const rec = reconnectFigures(times);
    const within5 = times.filter((t) => t !== null && t <= 5000).length;
    ctx.note(`reconnected ${affected.length - rec.missing}/${affected.length}: p50 ${ms(rec.p50)}, p99 ${ms(rec.p99)}, max ${ms(rec.max)}`);
    const result = await finish({ cluster, driver, quietAt, faults: 1 });
    const onDead = driver.clients.filter((c) => c.client.nodeId === victim.nodeId).length;
    result.figures = { ...result.figures, affected: affected.length, 'reconnect p50': ms(rec.p50), 'reconnect p99': ms(rec.p99), 'reconnect max': ms(rec.max) };
    result.checks.push(
      check('every affected client reconnected to a survivor within 5 s', within5 === affected.length && onDead === 0, `${within5}/${affected.length} within 5 s`),
    );
    return result;
  },
};

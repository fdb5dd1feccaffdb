import { bar, check, type Scenario, type ScenarioContext, type ScenarioResult } from '../harness/scenario.ts';
import { finish } from '../harness/finish.ts';
import { ms, pause } from '../harness/stats.ts';
import { reconnectFigures, reconnectTimes, setup } from './common.ts';
import { crossNodeBefore } from './cross-node.ts';

/** kill -9 of one of three gateways while every client writes; shared by scenarios 1 and 7. */
export async function runNodeKill(ctx: ScenarioContext, options: { clients: number; redisCluster: boolean }): Promise<ScenarioResult> {
  const { cluster, driver } = await setup(ctx, { clients: options.clients, cluster: { redisCluster: options.redisCluster } });
  const victim = cluster.gateways[0];
  const survivor = cluster.gateways[1];
  if (!victim || !survivor) throw new Error('need two gateways');
  const crossNode = await crossNodeBefore({ a: victim.url, b: survivor.url }, options.redisCluster ? 'redis cluster' : 'single redis');
  driver.startWorkload({ perClientPerSec: 0.5 });
  await pause(4000);
  const affected = driver.clients.filter((c) => c.client.nodeId === victim.nodeId);
  const killAt = Date.now();
  await cluster.killNode(0, 'SIGKILL');
  ctx.note(`killed ${victim.nodeId} (kill -9) with ${affected.length} clients on it, ${driver.operations()} operations so far`);
  const crossChecks = await crossNode.afterKill();
  await pause(Math.max(0, killAt + 6000 - Date.now()));
  driver.stopWorkload();
  const quietAt = Date.now();
  const result = await finish({ cluster, driver, quietAt, faults: 1 });
  // Measured after finish(), which waits for every client: a slow reconnect shows as slow, not as missing.
  const times = reconnectTimes(affected, killAt);
  const rec = reconnectFigures(times);
  const within5 = times.filter((t) => t !== null && t <= 5000).length;
  ctx.note(`reconnected ${affected.length - rec.missing}/${affected.length}: p50 ${ms(rec.p50)}, p99 ${ms(rec.p99)}, max ${ms(rec.max)}`);
  const onDead = driver.clients.filter((c) => c.client.nodeId === victim.nodeId).length;
  result.figures = { ...result.figures, affected: affected.length, 'reconnect p50': ms(rec.p50), 'reconnect p99': ms(rec.p99), 'reconnect max': ms(rec.max) };
  result.checks.push(
    ...crossNode.checks,
    ...crossChecks,
    bar('every affected client reconnected to a survivor within 5 s', within5 === affected.length && onDead === 0, `${within5}/${affected.length} within 5 s`),
  );
  return result;
}

/** Issue 5, scenario 1: kill -9 one of three gateways while every client is writing. */
export const nodeKill: Scenario = {
  id: 'node-kill',
  number: 1,
  title: 'kill -9 one of three gateways while the clients write',
  run: (ctx) => runNodeKill(ctx, { clients: Math.round(1000 * ctx.scale), redisCluster: false }),
};

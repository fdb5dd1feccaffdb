import { waitReadiness } from '../harness/cluster.ts';
import { finish } from '../harness/finish.ts';
import { mustConnect } from '../harness/probe.ts';
import { bar, check, type Check, type Scenario } from '../harness/scenario.ts';
import { ms, pause, waitUntil } from '../harness/stats.ts';
import { fanOutBack, probeWrite, setup } from './common.ts';

const COMMAND_TIMEOUT_MS = 1000;

/** Issue 5, scenario 3: Redis killed for 5 s and restarted with its data; then Redis frozen for 10 s. */
export const redisRestart: Scenario = {
  id: 'redis-restart',
  number: 3,
  title: 'Redis killed for 5 s and restarted with its data; Redis frozen (SIGSTOP) for 10 s',
  async run(ctx) {
    const { cluster, driver } = await setup(ctx, { clients: Math.round(150 * ctx.scale), cluster: { env: { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) } } });
    const [urlA, urlB] = cluster.urls;
    if (!urlA || !urlB) throw new Error('need two nodes');
    let writer = await mustConnect({ url: urlA, userId: 'probe-r', deviceId: 'writer' });
    const reader = await mustConnect({ url: urlB, userId: 'probe-r', deviceId: 'reader' });
    ctx.cleanup.add('probes', () => {
      writer.close();
      reader.close();
    });
    const checks: Check[] = [];
    driver.startWorkload({ perClientPerSec: 0.5 });
    await pause(3000);

    // Part 1: Redis dies (kill -9) for 5 s, then comes back with its append-only file.
    const killAt = Date.now();
    await cluster.killRedis();
    ctx.note(`redis killed (kill -9) after ${driver.operations()} operations`);
    const notReady = await Promise.all(cluster.gateways.map((_, i) => waitReadiness(cluster, i, false, 5000)));
    const during: Array<{ code: string; ms: number }> = [];
    for (let i = 0; i < 3 && Date.now() - killAt < 4000; i++) during.push(await probeWrite(writer));
    await pause(Math.max(0, killAt + 5000 - Date.now()));
    await cluster.restartRedis();
    const readyAt = Date.now();
    ctx.note(`redis back with its data after ${ms(readyAt - killAt)}`);
    const fanOut = await fanOutBack(writer, reader, readyAt, 10_000);
    const readyAgain = await Promise.all(cluster.gateways.map((_, i) => waitReadiness(cluster, i, true, 10_000)));
    await waitUntil(() => driver.ops.some((r) => r.status === 'acked' && (r.settledAt ?? 0) >= readyAt), 10_000);
    const firstAck = driver.ops.filter((r) => r.status === 'acked' && (r.settledAt ?? 0) >= readyAt).reduce((min, r) => Math.min(min, (r.settledAt ?? 0) - readyAt), Infinity);
    ctx.note(`first ack ${ms(firstAck)} after redis was back, cross-node fan-out back after ${ms(fanOut)}`);
    const worstDuring = Math.max(...during.map((d) => d.ms));
    checks.push(
      check('nodes reported not ready while Redis was down', notReady.every((t) => t !== null), notReady.map((t) => ms(t)).join(', ')),
      bar(`mutations answered unavailable within the command timeout + 0.5 s`, during.every((d) => d.code === 'unavailable' && d.ms <= COMMAND_TIMEOUT_MS + 500), during.map((d) => `${d.code} in ${ms(d.ms)}`).join(', ')),
      bar('first acknowledgement within 3 s of Redis being back', firstAck <= 3000, ms(Number.isFinite(firstAck) ? firstAck : null)),
      bar('cross-node fan-out back within 3 s (adapter resubscribed)', fanOut !== null && fanOut <= 3000, ms(fanOut)),
      check('nodes ready again', readyAgain.every((t) => t !== null), readyAgain.map((t) => ms(t)).join(', ')),
    );

    // Part 2: Redis frozen for 10 s: commands time out, the node answers unavailable, the retries apply once.
    await pause(2000);
    // A restarted Redis has a new replication history: nodes closed every socket to make it resync.
    if (!writer.socket.connected) {
      writer = await mustConnect({ url: urlA, userId: 'probe-r', deviceId: 'writer' });
      const again = writer;
      ctx.cleanup.add('probe writer again', () => again.close());
    }
    const frozenAt = Date.now();
    cluster.freezeRedis();
    ctx.note('redis frozen (SIGSTOP)');
    const frozen = await probeWrite(writer);
    await pause(Math.max(0, frozenAt + 10_000 - Date.now()));
    cluster.thawRedis();
    const thawedAt = Date.now();
    ctx.note(`redis thawed after ${ms(thawedAt - frozenAt)}`);
    checks.push(bar('a write to a frozen Redis answers unavailable within the command timeout + 0.5 s', frozen.code === 'unavailable' && frozen.ms <= COMMAND_TIMEOUT_MS + 500, `${frozen.code} in ${ms(frozen.ms)}`));
    await pause(3000);
    driver.stopWorkload();
    const quietAt = Date.now();
    const result = await finish({ cluster, driver, quietAt, faults: 2 });
    result.checks.push(...checks);
    result.figures = {
      ...result.figures,
      'unavailable answer (worst)': ms(worstDuring),
      'first ack after restart': ms(Number.isFinite(firstAck) ? firstAck : null),
      'fan-out back': ms(fanOut),
      'answer while frozen': `${frozen.code} ${ms(frozen.ms)}`,
    };
    return result;
  },
};

import { createSyncClient } from '../../../client-sdk/src/index.ts';
import { mintToken } from '../../support/gateway-process.ts';
import { finish } from '../harness/finish.ts';
import { answerCode, mustConnect } from '../harness/probe.ts';
import { bar, check, type Check, type Scenario } from '../harness/scenario.ts';
import { ms, pause, percentile, waitUntil } from '../harness/stats.ts';
import { fanOutBack, setup } from './common.ts';

const PING_INTERVAL_MS = 5000;
const PING_TIMEOUT_MS = 5000;
const FREEZE_MS = 30_000;

/**
 * Issue 5, scenario 5: a gateway frozen with SIGSTOP for 30 s, then SIGCONT; then only the Redis subscriber
 * connections killed (`CLIENT KILL TYPE pubsub`).
 */
export const frozenGateway: Scenario = {
  id: 'frozen-gateway',
  number: 5,
  title: 'a gateway frozen (SIGSTOP 30 s, SIGCONT); Redis pub/sub connections killed',
  async run(ctx) {
    const { cluster, driver } = await setup(ctx, {
      clients: Math.round(150 * ctx.scale),
      cluster: { env: { PING_INTERVAL_MS: String(PING_INTERVAL_MS), PING_TIMEOUT_MS: String(PING_TIMEOUT_MS) } },
    });
    const [urlA, urlB] = cluster.urls;
    const frozenNode = cluster.gateways[0];
    if (!urlA || !urlB || !frozenNode) throw new Error('need two nodes');
    const checks: Check[] = [];
    // A device whose old connection stays on the frozen node, and the same device connected again elsewhere.
    const stale = await mustConnect({ url: urlA, userId: 'probe-f', deviceId: 'moved' });
    ctx.cleanup.add('stale probe', () => stale.close());
    driver.startWorkload({ perClientPerSec: 0.5 });
    await pause(3000);

    const onFrozen = driver.clients.filter((c) => c.client.nodeId === frozenNode.nodeId);
    // A few apps on that node vanish during the freeze: their devices must still end up offline.
    const vanishing = onFrozen.slice(0, 3);
    const watched = onFrozen.slice(3);
    for (const sim of vanishing) sim.active = false;
    await waitUntil(() => vanishing.every((sim) => sim.client.pendingCount === 0), 5000);
    const freezeAt = Date.now();
    cluster.freezeNode(0);
    ctx.note(`${frozenNode.nodeId} frozen (SIGSTOP) with ${onFrozen.length} clients`);
    for (const sim of vanishing) void driver.retire(sim);
    // Offline by the stale-device sweep (lastSeen touched every 10 s, stale after 30 s, swept every 10 s:
    // 40 s after the freeze at worst), or earlier by the thawed node processing the apps' closed connections.
    const vanishedIds = new Set(vanishing.map((v) => v.deviceId));
    const offlineWait = waitUntil(async () => {
      for (const sim of vanishing) {
        const devices = await cluster.engine.listDevices(sim.userId);
        if (devices.some((d) => vanishedIds.has(d.deviceId) && d.online)) return false;
      }
      return true;
    }, 41_000, 250);
    // Sent into the frozen node's socket buffer; it reaches the node only after SIGCONT.
    const staleWrite = stale.mutate('cart:add', { sku: 'stale', title: 'Stale', priceCents: 1, qty: 1 }, FREEZE_MS + 10_000);
    const moved = await mustConnect({ url: urlB, userId: 'probe-f', deviceId: 'moved' });
    ctx.cleanup.add('moved probe', () => moved.close());

    const noticed = await Promise.all(
      watched.map(async (sim) => {
        const took = await waitUntil(() => sim.statusLog.some((s) => s.at >= freezeAt && s.status !== 'connected'), FREEZE_MS, 50);
        return took === null ? null : (sim.statusLog.find((s) => s.at >= freezeAt && s.status !== 'connected')?.at ?? freezeAt) - freezeAt;
      }),
    );
    const bound = PING_INTERVAL_MS + PING_TIMEOUT_MS;
    const elsewhere = (sim: (typeof watched)[number]) => sim.statusLog.find((s) => s.at >= freezeAt && s.status === 'connected' && s.nodeId !== frozenNode.nodeId);
    await waitUntil(() => watched.every((sim) => elsewhere(sim) !== undefined), Math.max(0, freezeAt + bound + 8000 - Date.now()), 50);
    const back = watched.map((sim) => {
      const again = elsewhere(sim);
      return again ? again.at - freezeAt : null;
    });
    const noticedMs = noticed.filter((t): t is number => t !== null);
    const backMs = back.filter((t): t is number => t !== null);
    ctx.note(`noticed p99 ${ms(percentile(noticedMs, 99))}, reconnected elsewhere p99 ${ms(percentile(backMs, 99))}`);
    // Timers fire a little late on a loaded machine: 500 ms of slack on the documented bound.
    checks.push(
      bar(`clients noticed within ping interval + timeout (${ms(bound)})`, noticedMs.length === watched.length && noticedMs.every((t) => t <= bound + 500), `${noticedMs.length}/${watched.length}, slowest ${ms(percentile(noticedMs, 100))}`),
      bar(`clients reconnected elsewhere within ${ms(bound + 5000)}`, backMs.length === watched.length && backMs.every((t) => t <= bound + 5000), `${backMs.length}/${watched.length}, slowest ${ms(percentile(backMs, 100))}`),
    );

    await pause(Math.max(0, freezeAt + FREEZE_MS - Date.now()));
    cluster.thawNode(0);
    const thawAt = Date.now();
    ctx.note(`${frozenNode.nodeId} thawed after ${ms(thawAt - freezeAt)}`);
    const offlineMs = await offlineWait;
    checks.push(bar('devices of vanished apps shown offline within 40 s of the freeze', offlineMs !== null, offlineMs === null ? 'still online' : `${ms(offlineMs)} after the freeze`));
    const staleAnswer = await staleWrite;
    await pause(3000);
    const log = (await cluster.truth('probe-f')).log ?? [];
    const applied = log.some((c) => c.deviceId === 'moved' && c.seq === staleAnswer.seq);
    checks.push(check('after SIGCONT the stale node accepted no write for a socket that moved', !applied, `stale write answered ${answerCode(staleAnswer.answer)}, ${applied ? 'APPLIED' : 'not applied'}`));
    const stillOnline = await Promise.all(watched.slice(0, 20).map(async (sim) => (await cluster.engine.listDevices(sim.userId)).find((d) => d.deviceId === sim.deviceId)));
    const wrong = stillOnline.filter((d) => !d || !d.online || d.nodeId === frozenNode.nodeId);
    checks.push(check('moved devices stay online on their new node after the stale node wakes', wrong.length === 0, wrong.map((d) => `${d?.deviceId}:${d?.online ? d.nodeId : 'offline'}`).join(', ') || 'ok'));

    // Part 2: the adapter's subscriber connections are killed (Redis itself stays up).
    const writer = await mustConnect({ url: urlA, userId: 'probe-p', deviceId: 'writer' });
    const reader = await mustConnect({ url: urlB, userId: 'probe-p', deviceId: 'reader' });
    ctx.cleanup.add('pubsub probes', () => {
      writer.close();
      reader.close();
    });
    // Two devices of one user on two nodes; the phone's last change is made while the subscriptions are being
    // restored. No later change follows it, so only the product (not a later gap) can bring it to the laptop.
    const tailToken = (deviceId: string) => () => mintToken({ userId: 'tail-u', deviceId });
    const phone = createSyncClient({ url: urlA, deviceId: 'phone', getToken: tailToken('phone') });
    const laptop = createSyncClient({ url: urlB, deviceId: 'laptop', getToken: tailToken('laptop') });
    ctx.cleanup.add('tail clients', async () => {
      await phone.close();
      await laptop.close();
    });
    await Promise.all([phone.ready, laptop.ready]);
    await phone.cart.add({ sku: 'before', title: 'Before', priceCents: 1, qty: 1 });
    await waitUntil(() => laptop.version === phone.version, 5000, 10);
    const killed = await cluster.killPubsubClients();
    const killAt = Date.now();
    const tail = phone.cart.add({ sku: 'tail', title: 'Tail', priceCents: 1, qty: 1 });
    const fanOut = await fanOutBack(writer, reader, killAt, 10_000);
    await tail;
    const tailSeen = await waitUntil(() => laptop.version === phone.version, Math.max(0, killAt + 10_000 - Date.now()), 20);
    const tailMs = tailSeen === null ? null : Date.now() - killAt;
    checks.push(
      check('a change made while the subscriptions were restored reaches the other device (no later change needed)', tailSeen !== null, tailSeen === null ? `laptop stuck at v${laptop.version}, phone at v${phone.version} after 10 s` : `after ${ms(tailMs)}`),
      bar('the change made during the resubscription arrived within 3 s', tailMs !== null && tailMs <= 3000, ms(tailMs)),
    );
    ctx.note(`CLIENT KILL TYPE pubsub closed ${killed} connections; fan-out back after ${ms(fanOut)}`);
    checks.push(bar('fan-out back within 3 s after the pub/sub connections were killed', killed > 0 && fanOut !== null && fanOut <= 3000, `${killed} killed, back after ${ms(fanOut)}`));
    await pause(2000);
    driver.stopWorkload();
    const quietAt = Date.now();
    const result = await finish({ cluster, driver, quietAt, faults: 2 });
    result.checks.push(...checks);
    result.figures = {
      ...result.figures,
      'ping interval + timeout': ms(bound),
      'noticed p50/p99': `${ms(percentile(noticedMs, 50))}/${ms(percentile(noticedMs, 99))}`,
      'elsewhere p50/p99': `${ms(percentile(backMs, 50))}/${ms(percentile(backMs, 99))}`,
      'pubsub fan-out back': ms(fanOut),
      'tail change after pubsub kill': tailMs === null ? 'never' : ms(tailMs),
      'vanished devices offline after': ms(offlineMs),
    };
    return result;
  },
};

import type { SimClient } from '../harness/client-driver.ts';
import { finish } from '../harness/finish.ts';
import { bar, check, type Scenario } from '../harness/scenario.ts';
import { ms, pause, waitUntil } from '../harness/stats.ts';
import { setup } from './common.ts';

const EDITS = 200;
const TOKEN_TTL_SEC = 8;
const OFFLINE_MS = 12_000;

/**
 * Issue 5, scenario 9: devices offline with 200 edits each, then back. "Ten minutes" is compressed to what
 * ten minutes change for a client: its token expired meanwhile (8 s tokens, 12 s offline), its user's other
 * devices kept writing, and for one of them more than the 1,000 changes the log keeps (so it must take a
 * snapshot and rebase its outbox). One device stays up and reconnects (goOffline/goOnline); the other's app
 * is killed while offline and relaunched on the same storage (the outbox must come back from storage).
 */
export const offlineEdits: Scenario = {
  id: 'offline-edits',
  number: 9,
  title: 'offline with 200 edits (token expired, log moved past 1,000 changes), then back',
  async run(ctx) {
    const { cluster, driver } = await setup(ctx, {
      clients: Math.round(30 * ctx.scale),
      tokenTtlSec: TOKEN_TTL_SEC,
      cluster: { env: { RATE_LIMIT_PER_SEC: '5000', RATE_LIMIT_BURST: '5000' } },
    });
    const find = (id: string): SimClient => {
      const sim = driver.clients.find((c) => c.id === id);
      if (!sim) throw new Error(`no client ${id}`);
      return sim;
    };
    const stays = find('u0000-d1');
    const relaunched = find('u0001-d1');
    const busy = find('u0001-d2');
    driver.startWorkload({ perClientPerSec: 0.5 });
    await pause(2000);
    for (const sim of [stays, relaunched, busy]) sim.active = false;
    await waitUntil(() => [stays, relaunched].every((s) => s.client.pendingCount === 0), 10_000);
    stays.client.goOffline();
    relaunched.client.goOffline();
    const offlineAt = Date.now();
    for (let i = 0; i < EDITS; i++) {
      driver.issue(stays);
      driver.issue(relaunched);
    }
    // The relaunched device's user moves on by more than the log keeps while it is away.
    for (let i = 0; i < 1100; i++) driver.issue(busy);
    ctx.note(`2 devices offline with ${EDITS} edits each; ${busy.id} queued 1,100 changes`);
    await waitUntil(() => busy.client.pendingCount === 0, OFFLINE_MS);
    await pause(Math.max(0, offlineAt + OFFLINE_MS - Date.now()));

    const backAt = Date.now();
    stays.client.goOnline();
    await driver.restart(relaunched);
    relaunched.active = false;
    const [staysDone, relaunchedDone] = await Promise.all([
      waitUntil(() => stays.client.pendingCount === 0 && driver.ops.every((r) => r.deviceId !== stays.deviceId || r.status !== 'pending'), 30_000, 20),
      // The new client loads its outbox from storage asynchronously: done means synced on a connection and empty.
      waitUntil(() => relaunched.statusLog.some((s) => s.at >= backAt && s.status === 'connected') && relaunched.client.pendingCount === 0, 30_000, 20),
    ]);
    ctx.note(`back online: ${stays.id} applied its edits in ${ms(staysDone)}, ${relaunched.id} (relaunched) in ${ms(relaunchedDone)}`);
    await pause(1000);
    driver.stopWorkload();
    const quietAt = Date.now();
    const result = await finish({ cluster, driver, quietAt, faults: 2 });
    result.checks.push(
      bar(`the device that went offline applied its ${EDITS} edits within 10 s of coming back`, staysDone !== null && staysDone <= 10_000, ms(staysDone)),
      bar(`the relaunched app applied its ${EDITS} stored edits within 10 s`, relaunchedDone !== null && relaunchedDone <= 10_000, ms(relaunchedDone)),
      check('the relaunched device caught up by snapshot (its log position was gone)', relaunched.versions.snapshots > 0 || relaunched.client.version > 1000, `${relaunched.versions.snapshots} snapshot(s), version ${relaunched.client.version}`),
    );
    result.figures = {
      ...result.figures,
      'offline for': ms(backAt - offlineAt),
      'reconnected device applied in': ms(staysDone),
      'relaunched app applied in': ms(relaunchedDone),
    };
    return result;
  },
};

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type Cluster } from 'ioredis';
import { freePort } from '../../support/free-port.ts';
import { startProcess } from '../../support/supervisor.ts';
import { systemBinary } from '../../support/redis-binary.ts';
import type { Driver } from '../harness/client-driver.ts';
import type { FaultCluster } from '../harness/cluster.ts';
import { check, type Check } from '../harness/scenario.ts';

/** What the gateways counted as lost (tandem_lost_changes_total, summed over nodes). */
export async function reportedLoss(cluster: FaultCluster): Promise<number> {
  let total = 0;
  for (const gw of cluster.gateways) {
    const text = await (await fetch(`${gw.adminUrl}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    const line = text.split('\n').find((l) => l.startsWith('tandem_lost_changes_total'));
    total += Number(line?.split(' ').at(-1) ?? 0);
  }
  return total;
}

/**
 * Per user, the versions the store that took over no longer has: the old store's last version (read from a
 * copy of its append-only files, started on a free port) minus where the new store forked the user's log.
 */
export async function missedVersions(oldDir: string, current: Redis | Cluster, userIds: readonly string[]): Promise<number> {
  const copy = mkdtempSync(join(tmpdir(), 'tandem-old-store-'));
  cpSync(oldDir, copy, { recursive: true });
  const port = await freePort();
  const proc = await startProcess({
    name: 'old-store',
    command: systemBinary('redis-server'),
    args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', copy, '--appendonly', 'yes', '--save', '', '--protected-mode', 'no'],
    ready: { line: (l) => l.includes('Ready to accept connections') },
  });
  const old = new Redis({ host: '127.0.0.1', port });
  try {
    let missed = 0;
    for (const userId of userIds) {
      const [oldEpoch, oldVersion] = await old.hmget(`{u:${userId}}:meta`, 'epoch', 'version');
      const [forkEpoch, forkVersion] = await current.hmget(`{u:${userId}}:meta`, 'fork_epoch', 'fork_version');
      if (oldEpoch && forkEpoch === oldEpoch) missed += Math.max(0, Number(oldVersion) - Number(forkVersion));
    }
    return missed;
  } finally {
    old.disconnect();
    await proc.stop(2000);
    rmSync(copy, { recursive: true, force: true });
  }
}

/** The loss accounting shared by the store-regression scenarios: what the app was told vs what was gone. */
export function lossChecks(input: { driver: Driver; reported: number; missed: number; ackedLost: number; durable: boolean }): Check[] {
  const { reported, missed, ackedLost } = input;
  const told = input.driver.clients.filter((c) => c.lost.length > 0).length;
  const checks = [
    check(
      'the loss counted by the nodes is what the new store missed, less changes nobody saw acknowledged (resent, applied once)',
      reported <= missed && ackedLost <= reported,
      `missed ${missed} version(s), counted ${reported}, acknowledged and reported to the app ${ackedLost} (${told} device(s) told)`,
    ),
  ];
  if (input.durable) {
    checks.push(check('with REDIS_MIN_REPLICAS_ACK no acknowledged change is lost', ackedLost === 0, `${ackedLost} acknowledged change(s) lost`));
    // Changes are pushed only once replicas have them, so no device saw what the new primary missed.
    checks.push(check('with REDIS_MIN_REPLICAS_ACK no device was shown a change the store then lost', told === 0 && reported === 0, `${told} device(s) told of a loss, ${reported} version(s) counted lost`));
  }
  return checks;
}

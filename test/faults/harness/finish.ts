import type { Driver } from './client-driver.ts';
import type { FaultCluster } from './cluster.ts';
import { checkInvariants, type DeviceFinal, type ServerTruth } from './invariants.ts';
import { canonical } from './model.ts';
import { bar as timingBar, check, type Check, type ScenarioResult } from './scenario.ts';
import { ms, pause } from './stats.ts';

export interface FinishOptions {
  cluster: FaultCluster;
  driver: Driver;
  /** When the last fault ended or the writes stopped, whichever came later: convergence is timed from here. */
  quietAt: number;
  /** The bar: every device equal to the server within this long after `quietAt`. @default 3000 */
  convergeBarMs?: number;
  /** How long to keep waiting past the bar, to tell "slow" from "never". @default 30000 */
  giveUpMs?: number;
  storeWipedAt?: number;
  /** Acknowledged changes reported lost to the app are expected to be gone (see InvariantInput). @default false */
  regressionExpected?: boolean;
  faults: number;
}

function sameAsServer(final: DeviceFinal, truth: ServerTruth): boolean {
  return (
    final.epoch === truth.epoch &&
    final.version === truth.version &&
    final.pending === 0 &&
    JSON.stringify(canonical(final.state)) === JSON.stringify(canonical(truth.state))
  );
}

/** Reads every user's truth, a few at a time (1,000 clients make ~400 users). */
export async function readTruths(cluster: FaultCluster, userIds: readonly string[]): Promise<Map<string, ServerTruth>> {
  const out = new Map<string, ServerTruth>();
  for (let i = 0; i < userIds.length; i += 25) {
    const slice = userIds.slice(i, i + 25);
    const truths = await Promise.all(slice.map((u) => cluster.truth(u)));
    for (const t of truths) out.set(t.userId, t);
  }
  return out;
}

/**
 * The common end of every scenario: wait until every device equals the server (timed from `quietAt`), then run
 * the shared invariant checker and the process checks (no crash, no out-of-order version applied).
 */
export async function finish(options: FinishOptions): Promise<ScenarioResult> {
  const { cluster, driver, quietAt } = options;
  const bar = options.convergeBarMs ?? 3000;
  const giveUp = options.giveUpMs ?? 30_000;
  const userIds = [...new Set(driver.clients.map((c) => c.userId))];
  let open = new Set(userIds);
  let convergedAt: number | null = null;
  while (Date.now() - quietAt < bar + giveUp) {
    const truths = await readTruths(cluster, [...open]);
    const finals = driver.finals();
    const unsettled = driver.ops.some((r) => r.status === 'pending');
    open = new Set([...open].filter((u) => {
      const truth = truths.get(u);
      return !truth || finals.filter((f) => f.userId === u).some((f) => !sameAsServer(f, truth));
    }));
    if (open.size === 0 && !unsettled) {
      convergedAt = Date.now();
      break;
    }
    await pause(100);
  }
  const convergedWithinMs = convergedAt === null ? null : Math.max(0, convergedAt - quietAt);

  const truths = await readTruths(cluster, userIds);
  const report = checkInvariants({
    ops: driver.ops,
    truths: [...truths.values()],
    devices: driver.finals(),
    sharedVideoSeen: driver.sharedVideoSeen(),
    ...(options.storeWipedAt === undefined ? {} : { storeWipedAt: options.storeWipedAt }),
    lostReported: new Set(driver.clients.flatMap((c) => c.lost.flatMap((e) => e.changes.map((ch) => `${ch.deviceId}:${ch.seq}`)))),
  });

  const crashes = cluster.crashes();
  const warnings = cluster.logs().filter((line) => /unhandled ?rejection|uncaught ?exception|MaxListenersExceeded/i.test(line));
  const gaps = driver.clients.reduce((n, c) => n + c.versions.gaps, 0);
  const regressions = driver.clients.reduce((n, c) => n + c.versions.regressions, 0);
  const snapshots = driver.clients.reduce((n, c) => n + c.versions.snapshots, 0);
  const checks: Check[] = [
    ...report.checks,
    timingBar(`every device equals the server within ${ms(bar)} of the end of the fault`, convergedWithinMs !== null && convergedWithinMs <= bar, convergedWithinMs === null ? `not converged after ${ms(bar + giveUp)}: ${[...open].slice(0, 5).join(', ')}` : ms(convergedWithinMs)),
    check('no gateway crashed', crashes.length === 0, crashes.map((c) => `${c.nodeId} exited ${c.exit.code ?? c.exit.signal}: ${c.lastLines.slice(-3).join(' | ')}`).join('; ') || 'ok'),
    check('no unhandled rejection or listener leak warning in any gateway log', warnings.length === 0, warnings[0]?.slice(0, 200) ?? 'none'),
    check('versions applied gap-free and in order (snapshots counted apart)', gaps === 0 && regressions === 0, `${gaps} gap(s), ${regressions} regression(s), ${snapshots} snapshot(s)`),
  ];
  return {
    clients: driver.clients.length,
    operations: driver.operations(),
    faults: options.faults,
    lost: report.lost,
    duplicated: report.duplicated,
    convergedWithinMs,
    figures: {
      acked: report.figures.acknowledged,
      refused: report.figures.rejected,
      snapshots,
      'view retractions': driver.viewRetractions(),
      ...(options.storeWipedAt === undefined ? {} : { 'lost to the wipe (expected)': report.figures.lostToStoreWipe }),
      ...(report.figures.lostReported > 0 || options.regressionExpected ? { 'acked lost, reported to the app': report.figures.lostReported } : {}),
    },
    checks,
  };
}

import type { SyncClientOptions } from '../../../client-sdk/src/index.ts';
import { createDriver, type Driver, type SimClient } from '../harness/client-driver.ts';
import { startCluster, type ClusterOptions, type FaultCluster } from '../harness/cluster.ts';
import type { ScenarioContext } from '../harness/scenario.ts';
import { answerCode, type Probe } from '../harness/probe.ts';
import { pause, percentile, waitUntil } from '../harness/stats.ts';

/** A cluster and a driver with `clients` devices (2 or 3 per user), spread round-robin over the nodes. */
export async function setup(
  ctx: ScenarioContext,
  options: {
    clients: number;
    cluster?: Omit<ClusterOptions, 'cleanup'>;
    tokenTtlSec?: number;
    userPrefix?: string;
    /** Devices that never write (readers: a laptop that only watches). */
    idle?: (sim: SimClient) => boolean;
    /** Runs after the cluster started and before any client connects (to route some clients elsewhere). */
    prepare?: (cluster: FaultCluster, driver: Driver) => Promise<void>;
    /** Extra SDK options for every client. */
    client?: Partial<SyncClientOptions>;
  },
): Promise<{ cluster: FaultCluster; driver: Driver }> {
  const cluster = await startCluster({ cleanup: ctx.cleanup, ...options.cluster });
  ctx.note(`cluster up: ${cluster.gateways.length} gateways (${cluster.urls.join(' ')})`);
  // 2 or 3 devices per user, alternating, until the client count is reached.
  const devices: number[] = [];
  for (let total = 0; total < options.clients; ) {
    const n = Math.min(devices.length % 2 === 0 ? 2 : 3, Math.max(2, options.clients - total));
    devices.push(n);
    total += n;
  }
  const driver = createDriver({
    users: devices.length,
    devicesOf: (u) => devices[u] ?? 2,
    urls: () => cluster.urls,
    rng: ctx.rng.fork(),
    ...(options.tokenTtlSec === undefined ? {} : { tokenTtlSec: options.tokenTtlSec }),
    ...(options.userPrefix === undefined ? {} : { userPrefix: options.userPrefix }),
    // Faster than the SDK's production backoff base would not be honest; only the cap is lowered so a
    // scenario's bounded run does not end inside one 30 s wait.
    client: { backoff: { capMs: 5000 }, ...options.client },
  });
  ctx.cleanup.add('clients', () => driver.closeAll());
  if (options.idle) for (const sim of driver.clients) sim.active = !options.idle(sim);
  await options.prepare?.(cluster, driver);
  const connectMs = await driver.connectAll();
  ctx.note(`${driver.clients.length} clients of ${devices.length} users connected in ${connectMs} ms`);
  return { cluster, driver };
}

/** Time from `since` until each client was next `connected`, for the clients given (null: not yet). */
export function reconnectTimes(clients: readonly SimClient[], since: number): Array<number | null> {
  return clients.map((c) => {
    const back = c.statusLog.find((s) => s.at >= since && s.status === 'connected');
    return back ? back.at - since : null;
  });
}

export function reconnectFigures(times: ReadonlyArray<number | null>): { p50: number | null; p99: number | null; max: number | null; missing: number } {
  const done = times.filter((t): t is number => t !== null);
  return { p50: percentile(done, 50), p99: percentile(done, 99), max: percentile(done, 100), missing: times.length - done.length };
}

/** Sends one mutation through `probe` and reports its code and answer time. */
export async function probeWrite(probe: Probe): Promise<{ code: string; ms: number }> {
  const out = await probe.mutate('cart:add', { sku: 'probe', title: 'Probe', priceCents: 1, qty: 1 }, 10_000);
  return { code: answerCode(out.answer), ms: out.ms };
}

/** Writes through `writer` every 100 ms until `reader` receives a push committed after `since`; ms after `since`. */
export async function fanOutBack(writer: Probe, reader: Probe, since: number, timeoutMs: number): Promise<number | null> {
  let done = false;
  const loop = (async () => {
    while (!done) {
      void probeWrite(writer);
      await pause(100);
    }
  })();
  const took = await waitUntil(() => reader.pushes.some((p) => p.change.at >= since), timeoutMs, 20);
  done = true;
  await loop;
  const first = reader.pushes.find((p) => p.change.at >= since);
  return took === null || !first ? null : first.at - since;
}


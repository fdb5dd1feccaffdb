import { createSyncClient, memoryStorage, type ChangesLostEvent, type SyncClient, type SyncClientOptions, type SyncStatus } from '../../../client-sdk/src/index.ts';
import type { SyncStorage } from '../../../client-sdk/src/storage/index.ts';
import { mintToken } from '../../support/gateway-process.ts';
import type { DeviceFinal, OpRecord } from './invariants.ts';
import type { Rng } from './rng.ts';
import { pause, timeout } from '../../support/timing.ts';
import { createDevicePlan, createUserPlan, planNext, unplan, SHARED_VIDEO, type DevicePlan, type PlannedOp, type UserPlan } from './workload.ts';

/** One simulated device: an SDK client plus everything the checker needs to know about it. */
export interface SimClient {
  readonly id: string;
  readonly userId: string;
  readonly deviceId: string;
  /** The node it starts on (its `urls` list starts there and rotates through the others). */
  readonly homeIndex: number;
  urls: string[];
  client: SyncClient;
  /** Kept across `restart` (an app restart with the same storage). */
  readonly storage: SyncStorage;
  readonly plan: DevicePlan;
  readonly rng: Rng;
  readonly statusLog: Array<{ at: number; status: SyncStatus; nodeId: string | null }>;
  /** Versions applied out of order within an epoch (the SDK must never do that) and snapshots taken. */
  readonly versions: { epoch: string | null; version: number; gaps: number; snapshots: number; regressions: number };
  /** Positions of the shared video in the committed changes this client applied, in order. */
  readonly sharedCommitted: number[];
  /** Positions of the shared video in the client's view (optimistic: its own pending reports included). */
  readonly sharedSeen: number[];
  readonly errors: Map<string, number>;
  /** Acknowledged changes the SDK reported lost (`onChangesLost`: the store went back in time). */
  readonly lost: ChangesLostEvent[];
  /** Whether the workload may use it (false while a scenario holds it offline, for instance). */
  active: boolean;
  /** Closed for good by the scenario (an app that vanished): left out of the final comparison. */
  retired: boolean;
  nextAt: number;
}

export interface DriverOptions {
  users: number;
  /** Devices of user `u` (2 or 3). */
  devicesOf: (userIndex: number) => number;
  urls: () => string[];
  rng: Rng;
  /** Token lifetime. @default 3600 */
  tokenTtlSec?: number;
  /** Passed to every createSyncClient. */
  client?: Partial<SyncClientOptions>;
  userPrefix?: string;
}

export interface Driver {
  readonly clients: SimClient[];
  readonly ops: OpRecord[];
  /** Connects every client (in batches, so 1,000 handshakes do not arrive at once); ms until all were ready. */
  connectAll(options?: { batch?: number; timeoutMs?: number }): Promise<number>;
  /** Issues operations at about `perClientPerSec` per active client until `stopWorkload`. */
  startWorkload(options: { perClientPerSec: number; maxPending?: number }): void;
  stopWorkload(): void;
  /** One planned operation on one client, recorded in the ledger. */
  issue(sim: SimClient): OpRecord;
  /** Waits until no promise is unsettled and no outbox holds anything; ms, or null on timeout. */
  settle(timeoutMs: number): Promise<number | null>;
  finals(): DeviceFinal[];
  /** The shared video's committed positions each client applied (must never go down). */
  sharedVideoSeen(): Map<string, number[]>;
  /** How often a client's view of the shared video went down (its own optimistic report lost on event time). */
  viewRetractions(): number;
  /** Closes the client, waits until it has written its outbox, and makes a new one on the same storage (an app restart). */
  restart(sim: SimClient, urls?: string[]): Promise<void>;
  /** Stops a client for good (it must have nothing pending: nobody would ever send it). */
  retire(sim: SimClient): Promise<void>;
  closeAll(): Promise<void>;
  operations(): number;
}

export function createDriver(options: DriverOptions): Driver {
  const clients: SimClient[] = [];
  const ops: OpRecord[] = [];
  const userPlans = new Map<string, UserPlan>();
  let workload: NodeJS.Timeout | null = null;

  const makeClient = (sim: Pick<SimClient, 'userId' | 'deviceId' | 'urls' | 'storage' | 'statusLog' | 'versions' | 'sharedSeen' | 'sharedCommitted' | 'errors' | 'lost'>): SyncClient => {
    const client = createSyncClient({
      urls: sim.urls,
      deviceId: sim.deviceId,
      deviceName: sim.deviceId,
      deviceKind: 'phone',
      storage: sim.storage,
      getToken: () => mintToken({ userId: sim.userId, deviceId: sim.deviceId, ttlSec: options.tokenTtlSec ?? 3600 }),
      ...options.client,
    });
    client.onStatus((status) => sim.statusLog.push({ at: Date.now(), status, nodeId: client.nodeId }));
    client.onError((error) => sim.errors.set(error.code, (sim.errors.get(error.code) ?? 0) + 1));
    client.onChangesLost((event) => sim.lost.push(event));
    client.onChange((event) => {
      const v = sim.versions;
      if (event.type === 'snapshot') {
        // The first sync of a fresh client is always a snapshot; only later ones are worth counting.
        if (v.epoch !== null) v.snapshots += 1;
        // Progress is monotone within one life of the log: a new epoch (the store lost its data) starts over.
        if (v.epoch !== null && v.epoch !== event.epoch) sim.sharedCommitted.length = 0;
        v.epoch = event.epoch;
        v.version = event.version;
        return;
      }
      const { change } = event;
      if (change.op.type === 'watch' && change.op.entry.videoId === SHARED_VIDEO) sim.sharedCommitted.push(change.op.entry.positionSec);
      if (change.epoch !== v.epoch) {
        // A new epoch must come with a snapshot first; a change of an unknown epoch counts as a gap.
        if (v.epoch !== null) v.gaps += 1;
        v.epoch = change.epoch;
      } else if (change.version <= v.version) v.regressions += 1;
      else if (change.version !== v.version + 1) v.gaps += 1;
      v.version = change.version;
    });
    client.watch.subscribe((view) => {
      const pos = view.entries.get(SHARED_VIDEO)?.positionSec;
      if (pos !== undefined && pos !== sim.sharedSeen.at(-1)) sim.sharedSeen.push(pos);
    });
    return client;
  };

  const allUrls = options.urls();
  const prefix = options.userPrefix ?? 'u';
  let ordinal = 0;
  for (let u = 0; u < options.users; u++) {
    const userId = `${prefix}${String(u).padStart(4, '0')}`;
    userPlans.set(userId, createUserPlan());
    for (let d = 1; d <= options.devicesOf(u); d++) {
      const homeIndex = ordinal++ % allUrls.length;
      const urls = allUrls.map((_, i) => allUrls[(homeIndex + i) % allUrls.length] as string);
      const deviceId = `${userId}-d${d}`;
      const base = {
        userId,
        deviceId,
        urls,
        storage: memoryStorage(),
        statusLog: [] as SimClient['statusLog'],
        versions: { epoch: null, version: 0, gaps: 0, snapshots: 0, regressions: 0 },
        sharedSeen: [] as number[],
        sharedCommitted: [] as number[],
        errors: new Map<string, number>(),
        lost: [] as ChangesLostEvent[],
      };
      // Created lazily in connectAll, so a scenario can adjust urls first.
      clients.push({
        ...base,
        id: deviceId,
        homeIndex,
        client: null as unknown as SyncClient,
        plan: createDevicePlan(deviceId),
        rng: options.rng.fork(),
        active: true,
        retired: false,
        nextAt: 0,
      });
    }
  }

  const issue = (sim: SimClient): OpRecord => {
    const userPlan = userPlans.get(sim.userId);
    if (!userPlan) throw new Error(`no plan for ${sim.userId}`);
    const op: PlannedOp = planNext(sim.rng, userPlan, sim.plan);
    const record: OpRecord = { userId: sim.userId, deviceId: sim.deviceId, op, issuedAt: Date.now(), status: 'pending', settledAt: null, code: null };
    ops.push(record);
    const c = sim.client;
    const promise =
      op.kind === 'add'
        ? c.cart.add({ sku: op.sku, title: op.title, priceCents: op.priceCents, qty: op.qty })
        : op.kind === 'set'
          ? c.cart.setQuantity(op.sku, op.qty)
          : op.kind === 'remove'
            ? c.cart.remove(op.sku)
            : // `pause` and `seek` are sent at once (a `progress` while playing would be throttled and merged).
              c.watch.report(op.videoId, op.positionSec, op.durationSec, { event: op.seek ? 'seek' : 'pause' });
    promise.then(
      (ack) => {
        record.status = 'acked';
        record.settledAt = Date.now();
        record.seq = ack.seq;
      },
      (err: unknown) => {
        record.settledAt = Date.now();
        record.code = (err as { code?: string }).code ?? 'unknown';
        // A client closed for an app restart keeps its outbox in storage: the next client sends it.
        record.status = record.code === 'closed' ? 'carried' : 'rejected';
        if (record.status === 'rejected') unplan(op, userPlan);
      },
    );
    return record;
  };

  return {
    clients,
    ops,
    async connectAll({ batch = 50, timeoutMs = 60_000 } = {}) {
      const start = Date.now();
      for (let i = 0; i < clients.length; i += batch) {
        const slice = clients.slice(i, i + batch);
        for (const sim of slice) sim.client = makeClient(sim);
        const readies = slice.map((sim) => sim.client.ready);
        const left = timeoutMs - (Date.now() - start);
        const outcome = await timeout(Promise.all(readies), Math.max(0, left), 'clients ready').then(
          () => 'ok' as const,
          () => 'timeout' as const,
        );
        if (outcome === 'timeout') {
          const stuck = slice.filter((s) => s.client.status !== 'connected').map((s) => `${s.id}:${s.client.status}`);
          throw new Error(`clients not ready within ${timeoutMs} ms: ${stuck.slice(0, 5).join(', ')}`);
        }
      }
      return Date.now() - start;
    },
    startWorkload({ perClientPerSec, maxPending = 20 }) {
      const meanGap = 1000 / perClientPerSec;
      const now = Date.now();
      for (const sim of clients) sim.nextAt = now + sim.rng.next() * meanGap;
      workload = setInterval(() => {
        const t = Date.now();
        for (const sim of clients) {
          if (!sim.active || t < sim.nextAt) continue;
          sim.nextAt = t - Math.log(1 - sim.rng.next()) * meanGap;
          if (sim.client.pendingCount >= maxPending) continue;
          issue(sim);
        }
      }, 20);
    },
    stopWorkload() {
      if (workload) clearInterval(workload);
      workload = null;
    },
    issue,
    async settle(timeoutMs) {
      const start = Date.now();
      while (Date.now() - start <= timeoutMs) {
        const unsettled = ops.some((r) => r.status === 'pending');
        const queued = clients.some((s) => !s.retired && s.client.pendingCount > 0);
        if (!unsettled && !queued) return Date.now() - start;
        await pause(50);
      }
      return null;
    },
    finals() {
      return clients.filter((sim) => !sim.retired).map((sim) => {
        const cart = sim.client.cart.get();
        const watch = sim.client.watch.view();
        return {
          userId: sim.userId,
          deviceId: sim.deviceId,
          epoch: sim.client.epoch,
          version: sim.client.version,
          state: { cart: [...cart.items], watch: [...watch.entries.values()] },
          pending: sim.client.pendingCount,
        };
      });
    },
    sharedVideoSeen() {
      return new Map(clients.map((s) => [s.id, [...s.sharedCommitted]]));
    },
    viewRetractions() {
      let n = 0;
      for (const s of clients) for (let i = 1; i < s.sharedSeen.length; i++) if ((s.sharedSeen[i] ?? 0) < (s.sharedSeen[i - 1] ?? 0)) n++;
      return n;
    },
    async restart(sim, urls) {
      // A killed app writes nothing after it dies: the old client finishes writing before the new one reads.
      sim.active = false;
      await sim.client.close();
      if (urls) sim.urls = urls;
      sim.client = makeClient(sim);
      sim.active = !sim.retired;
    },
    async retire(sim) {
      sim.active = false;
      sim.retired = true;
      await sim.client.close();
    },
    async closeAll() {
      this.stopWorkload();
      await Promise.all(clients.map((s) => (s.client ? s.client.close().catch(() => undefined) : undefined)));
    },
    operations: () => ops.length,
  };
}

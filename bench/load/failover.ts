import { DEFAULT_BACKOFF, fullJitterDelay } from '../../client-sdk/src/backoff.ts';
import { createHistogram, type HistogramData } from '../harness/histogram.ts';
import { watchProcesses } from '../harness/proc-stats.ts';
import type { DeviceSpec } from './drivers/driver.ts';
import { createProductDevice, type ProductDevice, type ProductDriverOptions } from './drivers/product.ts';
import { pause as sleep } from '../../test/support/timing.ts';

export interface FailoverRequest {
  product: ProductDriverOptions;
  /** Devices on the node that will be killed (one per user) and their partners on a surviving node. */
  victims: DeviceSpec[];
  partners: DeviceSpec[];
  victimPid: number;
  /** Where a dropped device reconnects: victim i starts at survivor i mod n, then rotates on failure. */
  survivorUrls: string[];
  /** Changes each partner makes right after the kill, which its victim must recover. */
  missedPerUser: number;
  timeoutMs: number;
  concurrency: number;
  /** Survivor nodes, whose CPU from the kill until the end is reported (next to this process's own). */
  survivorPids: Record<string, number>;
}

export interface FailoverResult {
  devices: number;
  reconnected: number;
  caughtUp: number;
  /** ms from the kill until connected elsewhere, and until caught up to the partner's last change */
  reconnect: HistogramData;
  catchUp: HistogramData;
  /** where the time goes, per device (ms): kill → drop seen, backoff wait, handshake, sync answer */
  phases: { dropped: HistogramData; backoff: HistogramData; handshake: HistogramData; sync: HistogramData };
  recoveredChanges: number;
  snapshots: number;
  partnerWrites: number;
  partnerFailures: Record<string, number>;
  connectFailures: number;
  errors: string[];
  /** CPU ms from the kill until every victim caught up: per survivor node, and this load process */
  cpuMs: Record<string, number>;
}

const stage = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

async function connectAll(specs: DeviceSpec[], concurrency: number, make: (spec: DeviceSpec) => Promise<ProductDevice>): Promise<ProductDevice[]> {
  const out: ProductDevice[] = new Array<ProductDevice>(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      const spec = specs[i];
      if (!spec) break;
      const device = await make(spec);
      await device.open();
      out[i] = device;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/**
 * kill -9 of a node holding `victims`: each victim reconnects to a survivor with the SDK's backoff and
 * syncs from its last version; meanwhile its partner keeps writing. Measures time to reconnect and to
 * catch up with the partner's last acknowledged change.
 */
export async function runFailover(request: FailoverRequest): Promise<FailoverResult> {
  const errors: string[] = [];
  const note = (message: string) => {
    if (errors.length < 5) errors.push(message);
  };
  let killedAt = 0;
  const reconnectMs = new Map<number, number>();
  const phases = { dropped: createHistogram(), backoff: createHistogram(), handshake: createHistogram(), sync: createHistogram() };
  const us = (ms: number) => Math.max(0, Math.round(ms * 1000));
  const caughtUpMs = new Map<number, number>();
  const target = new Map<number, number>();
  let recoveredChanges = 0;
  let snapshots = 0;
  let connectFailures = 0;
  let partnerWrites = 0;
  const partnerFailures: Record<string, number> = {};

  const checkCaughtUp = (i: number, device: ProductDevice) => {
    const want = target.get(i);
    if (killedAt > 0 && want !== undefined && device.version >= want && reconnectMs.has(i) && !caughtUpMs.has(i)) {
      caughtUpMs.set(i, performance.now() - killedAt);
    }
  };

  const victims: ProductDevice[] = await connectAll(request.victims, request.concurrency, (spec) => {
    const i = request.victims.indexOf(spec);
    let attempt = 0;
    // Spread over the survivors as a load balancer would. (The SDK itself moves every client of a dead node
    // to the next URL of its list, so with identical lists they would all land on one survivor.)
    let urlIndex = i;
    const device = createProductDevice(spec, request.product, {
      change: () => void device.then((d) => checkCaughtUp(i, d)),
      disconnect: () => {
        if (killedAt === 0) return;
        if (attempt === 0) phases.dropped.record(us(performance.now() - killedAt));
        const reconnect = async (): Promise<void> => {
          const waitMs = fullJitterDelay(attempt++, DEFAULT_BACKOFF);
          await sleep(waitMs);
          if (performance.now() - killedAt > request.timeoutMs) return;
          const url = request.survivorUrls[urlIndex++ % request.survivorUrls.length] ?? spec.url;
          const d = await device;
          try {
            const startedAt = performance.now();
            const answer = await d.open(url);
            if (attempt === 1) {
              phases.backoff.record(us(waitMs));
              phases.handshake.record(us(d.opened.connectedAt - startedAt));
              phases.sync.record(us(d.opened.syncedAt - d.opened.connectedAt));
            }
            if (answer.sync.kind === 'changes') recoveredChanges += answer.sync.changes.length;
            else snapshots++;
            reconnectMs.set(i, performance.now() - killedAt);
            checkCaughtUp(i, d);
          } catch (err) {
            connectFailures++;
            note(err instanceof Error ? err.message : String(err));
            return reconnect();
          }
        };
        void reconnect();
      },
    });
    return device;
  });
  stage(`failover: ${victims.length} victims connected`);
  const partners = await connectAll(request.partners, request.concurrency, (spec) => createProductDevice(spec, request.product, {}));

  const seqs = partners.map(() => 0);
  const write = (i: number): Promise<number | null> =>
    new Promise((resolve) => {
      const partner = partners[i];
      if (!partner) return resolve(null);
      const seq = ++seqs[i]!;
      partnerWrites++;
      const timer = setTimeout(() => {
        partnerFailures.no_ack = (partnerFailures.no_ack ?? 0) + 1;
        resolve(null);
      }, 5_000);
      partner.add(seq, (ack) => {
        clearTimeout(timer);
        if (ack.ok) resolve(ack.version);
        else {
          partnerFailures[ack.error.code] = (partnerFailures[ack.error.code] ?? 0) + 1;
          resolve(null);
        }
      });
    });

  // Every victim has seen one change of its partner before the kill, so it has a version to sync from.
  await Promise.all(partners.map((_, i) => write(i)));
  const warmDeadline = performance.now() + 5_000;
  while (performance.now() < warmDeadline && victims.some((v, i) => v.version < (partners[i]?.version ?? 0))) await sleep(10);

  stage('failover: partners connected and one change seen by every victim; kill -9');
  const watch = watchProcesses({ ...request.survivorPids, load: process.pid }, 100);
  killedAt = performance.now();
  process.kill(request.victimPid, 'SIGKILL');

  // The partners keep writing while their victims are away: what the victims must recover.
  const spreadMs = 500;
  const writes: Array<Promise<void>> = [];
  for (let round = 0; round < request.missedPerUser; round++) {
    for (let i = 0; i < partners.length; i++) {
      const dueAt = killedAt + ((round * partners.length + i) / (partners.length * request.missedPerUser)) * spreadMs;
      const wait = dueAt - performance.now();
      if (wait > 1) await sleep(wait);
      writes.push(
        write(i).then((version) => {
          if (version !== null) target.set(i, Math.max(target.get(i) ?? 0, version));
        }),
      );
    }
  }
  await Promise.all(writes);
  stage('failover: partner writes done');
  victims.forEach((v, i) => checkCaughtUp(i, v));

  const deadline = killedAt + request.timeoutMs;
  while (caughtUpMs.size < victims.length && performance.now() < deadline) {
    await sleep(20);
    victims.forEach((v, i) => checkCaughtUp(i, v));
  }

  const cpu = watch.stop();
  const reconnect = createHistogram();
  const catchUp = createHistogram();
  for (const ms of reconnectMs.values()) reconnect.record(Math.round(ms * 1000));
  for (const ms of caughtUpMs.values()) catchUp.record(Math.round(ms * 1000));
  for (const device of [...victims, ...partners]) device.close();
  return {
    devices: victims.length,
    reconnected: reconnectMs.size,
    caughtUp: caughtUpMs.size,
    reconnect: reconnect.data(),
    catchUp: catchUp.data(),
    phases: { dropped: phases.dropped.data(), backoff: phases.backoff.data(), handshake: phases.handshake.data(), sync: phases.sync.data() },
    recoveredChanges,
    snapshots,
    partnerWrites,
    partnerFailures,
    connectFailures,
    errors,
    cpuMs: Object.fromEntries(Object.entries(cpu).map(([name, usage]) => [name, usage.cpuMs])),
  };
}

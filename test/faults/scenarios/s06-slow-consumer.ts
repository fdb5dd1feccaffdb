import { readFileSync } from 'node:fs';
import type { Socket } from 'socket.io-client';
import { finish } from '../harness/finish.ts';
import { mustConnect, type Probe } from '../harness/probe.ts';
import { bar, check, type Check, type Scenario } from '../harness/scenario.ts';
import { ms, pause, percentile, waitUntil } from '../harness/stats.ts';
import { setup } from './common.ts';

const TITLE = 'x'.repeat(200);

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The `ws` WebSocket under a socket.io-client connection (its pause() stops reading for good: ws itself
 * resumes a merely paused TCP socket when its parser drains). */
interface RawWs {
  pause(): void;
  resume(): void;
  _socket: { on(event: 'data', listener: (chunk: Buffer) => void): void };
}
function wsOf(socket: Socket): RawWs {
  const engine = socket.io.engine as unknown as { transport?: { ws?: RawWs } };
  const ws = engine.transport?.ws;
  if (!ws) throw new Error('no websocket under the socket.io connection');
  return ws;
}

/**
 * Reads about `bytesPerSec` (one slice a second: a TCP read brings up to 64 KB at once, so finer slices read
 * far more than asked); the rest waits in the kernel, then in the node's memory.
 */
function throttleReads(ws: RawWs, bytesPerSec: number, received: { bytes: number }): () => void {
  let budget = bytesPerSec;
  ws._socket.on('data', (chunk: Buffer) => {
    received.bytes += chunk.length;
    budget -= chunk.length;
    if (budget <= 0) ws.pause();
  });
  const timer = setInterval(() => {
    budget = bytesPerSec;
    ws.resume();
  }, 1000);
  return () => clearInterval(timer);
}

/** Writes as fast as the node answers, `inFlight` requests at a time, until stopped. */
function flood(writer: Probe, inFlight: number): { stop(): Promise<number> } {
  let running = true;
  let sent = 0;
  let n = 0;
  const lanes = Array.from({ length: inFlight }, async () => {
    while (running) {
      n += 1;
      await writer.mutate('cart:add', { sku: `f${n % 150}`, title: TITLE, priceCents: 1, qty: 1 }, 5000);
      sent += 1;
      if (n % 150 === 0) await writer.mutate('cart:clear', {}, 5000);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(lanes);
      return sent;
    },
  };
}

/** Push latency (commit → delivery) on `reader` while `writer` writes every 50 ms, over `durationMs`. */
async function fanOutLatency(writer: Probe, reader: Probe, durationMs: number): Promise<number[]> {
  const from = reader.pushes.length;
  const end = Date.now() + durationMs;
  let n = 0;
  while (Date.now() < end) {
    void writer.mutate('watch:report', { videoId: 'lat', positionSec: ++n, durationSec: 100_000, at: Date.now(), kind: 'progress' }, 5000);
    await pause(50);
  }
  await pause(300);
  return reader.pushes.slice(from).map((p) => p.at - p.change.at);
}

/** Issue 5, scenario 6: a client that stops reading (and one that reads slowly) while its user's changes flood in. */
export const slowConsumer: Scenario = {
  id: 'slow-consumer',
  number: 6,
  title: 'slow consumers: memory stays bounded, they are cut off, other users are not slowed',
  async run(ctx) {
    const { cluster, driver } = await setup(ctx, {
      clients: Math.round(60 * ctx.scale),
      cluster: { env: { RATE_LIMIT_PER_SEC: '20000', RATE_LIMIT_BURST: '20000' } },
    });
    const [urlA, urlB] = cluster.urls;
    const node = cluster.gateways[0];
    if (!urlA || !urlB || !node) throw new Error('need two nodes');
    const checks: Check[] = [];
    const figures: Record<string, string | number | null> = {};
    const latWriter = await mustConnect({ url: urlB, userId: 'lat-u', deviceId: 'writer' });
    const latReader = await mustConnect({ url: urlA, userId: 'lat-u', deviceId: 'reader' });
    ctx.cleanup.add('latency probes', () => {
      latWriter.close();
      latReader.close();
    });
    driver.startWorkload({ perClientPerSec: 0.5 });
    const before = await fanOutLatency(latWriter, latReader, 3000);
    const baseline = rssMb(node.pid);
    ctx.note(`baseline: ${node.nodeId} RSS ${baseline.toFixed(0)} MB, other users' fan-out p99 ${ms(percentile(before, 99))}`);

    let control: number[] = [];
    for (const mode of ['control', 'stopped', 'slow'] as const) {
      const user = `slow-${mode}`;
      const consumer = await mustConnect({ url: urlA, userId: user, deviceId: 'consumer' });
      const writer = await mustConnect({ url: urlB, userId: user, deviceId: 'writer' });
      ctx.cleanup.add(`${mode} consumer`, () => {
        consumer.close();
        writer.close();
      });
      const ws = wsOf(consumer.socket);
      const received = { bytes: 0 };
      const unthrottle = mode === 'stopped' ? (ws.pause(), () => undefined) : throttleReads(ws, mode === 'slow' ? 20_000 : 1e12, received);
      const start = Date.now();
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(node.pid))), 200);
      const load = flood(writer, 20);
      const during = await fanOutLatency(latWriter, latReader, 4000);
      // The control consumer reads everything and must stay connected: give it the same 4 s of flood only.
      const cutOff =
        mode === 'control'
          ? null
          : await waitUntil(async () => {
              const devices = await cluster.engine.listDevices(user);
              return devices.some((d) => d.deviceId === 'consumer' && !d.online);
            }, 20_000, 250);
      const sent = await load.stop();
      clearInterval(sampler);
      unthrottle();
      const growth = peak - baseline;
      ctx.note(`${mode} consumer: ${sent} changes in ${ms(Date.now() - start)}, it read ${(received.bytes / 1e6).toFixed(1)} MB, cut off after ${ms(cutOff)}, peak RSS +${growth.toFixed(0)} MB, other users' p99 ${ms(percentile(during, 99))}`);
      if (mode === 'control') {
        // The flood alone costs CPU on a 2-core machine: the slow consumers are compared with this, not with idle.
        control = during;
        figures['flood with a reading consumer: others p99'] = `${ms(percentile(before, 99))} → ${ms(percentile(during, 99))}`;
        consumer.close();
        writer.close();
        continue;
      }
      const p99Before = percentile(control, 99) ?? 0;
      const p99During = percentile(during, 99) ?? Infinity;
      checks.push(
        check(`${mode} consumer: disconnected by the node`, cutOff !== null, cutOff === null ? 'still connected after 20 s' : `after ${ms(cutOff)}`),
        check(`${mode} consumer: node memory bounded (peak RSS growth ≤ 64 MB)`, growth <= 64, `+${growth.toFixed(1)} MB over ${baseline.toFixed(0)} MB`),
        // Generous on a shared 2-core machine: twice the quiet p99 plus 50 ms.
        bar(`${mode} consumer: other users' fan-out not slowed more than by the flood alone (p99 ≤ 2× + 50 ms)`, p99During <= 2 * p99Before + 50, `${ms(p99Before)} → ${ms(p99During)}`),
      );
      figures[`${mode}: cut off after`] = ms(cutOff);
      figures[`${mode}: RSS growth`] = `${growth.toFixed(0)} MB`;
      figures[`${mode}: others p99`] = `${ms(p99Before)} → ${ms(p99During)}`;
      consumer.close();
      writer.close();
    }
    await pause(1000);
    driver.stopWorkload();
    const quietAt = Date.now();
    const result = await finish({ cluster, driver, quietAt, faults: 2 });
    result.checks.push(...checks);
    result.figures = { ...result.figures, ...figures };
    return result;
  },
};

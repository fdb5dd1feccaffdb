/**
 * A phone on a slow link: every client of this step talks to the product's nodes through a delaying TCP proxy
 * (bench/harness/delay-proxy.ts). Measures how long N edits made offline take to be acknowledged once the
 * device is back online (reconnect, handshake and sync included), with the SDK (pushes of up to 100) and with
 * a client that sends one mutation per round trip (what the SDK did before `mutations:push`; protocol 1), and
 * the live latency of one change from the phone to the laptop through the same link.
 */
import { io } from 'socket.io-client';
import { createSyncClient, memoryStorage, type SyncClient } from '../../client-sdk/src/index.ts';
import type { SocketFactory } from '../../client-sdk/src/connection/socket.ts';
import { LIMITS, type Ack, type MutationResult } from '../../client-sdk/src/protocol/index.ts';
import { mintToken } from '../../test/support/tokens.ts';
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy.ts';
import { timeout } from '../../test/support/timing.ts';
import type { SlowLinkResult } from '../report/types.ts';
import { BENCH_JWT_SECRET } from '../systems.ts';
import type { BenchContext } from './context.ts';

const TARGET = { rttMs: 200, edits: 100, withinMs: 1_500 };
const STEP_TIMEOUT_MS = 120_000;

let users = 0;
const newUser = () => `slow-${process.pid}-${++users}`;
const token = (userId: string, deviceId: string) => mintToken({ userId, deviceId, secret: BENCH_JWT_SECRET, ttlSec: 3600 });
const edit = (i: number) => ({ sku: `sku-${i % 50}`, title: `Slow link ${i % 50}`, priceCents: 100, qty: 1 });

/** socket.io's client, counting the requests each socket makes (the round trips a drain costs). */
function countingIo(): { io: SocketFactory; requests: (event: string) => number } {
  const counts = new Map<string, number>();
  const factory: SocketFactory = (url, options) => {
    const socket = io(url, options) as unknown as ReturnType<SocketFactory>;
    const timeout = socket.timeout.bind(socket);
    Object.assign(socket, {
      timeout(ms: number) {
        const flagged = timeout(ms);
        return {
          emit(event: string, payload: unknown, ack: (error: Error | null, response: unknown) => void) {
            counts.set(event, (counts.get(event) ?? 0) + 1);
            return flagged.emit(event, payload, ack);
          },
        };
      },
    });
    return socket;
  };
  return { io: factory, requests: (event) => counts.get(event) ?? 0 };
}

/** The SDK: online, then offline, `edits` cart adds, then online again; ms from going online to the last ack. */
async function drainWithSdk(proxy: TcpProxy, edits: number): Promise<{ ms: number; pushes: number }> {
  const userId = newUser();
  const phoneToken = await token(userId, 'phone');
  const wire = countingIo();
  const phone = createSyncClient({ url: proxy.httpUrl, getToken: () => phoneToken, deviceId: 'phone', io: wire.io, storage: memoryStorage() });
  try {
    await timeout(phone.ready, 20_000, 'slow-link phone ready');
    phone.goOffline();
    const acks = Array.from({ length: edits }, (_, i) => phone.cart.add(edit(i)));
    const before = wire.requests('mutations:push');
    const started = performance.now();
    phone.goOnline();
    await timeout(Promise.all(acks), STEP_TIMEOUT_MS, `slow-link drain of ${edits}`);
    return { ms: performance.now() - started, pushes: wire.requests('mutations:push') - before };
  } finally {
    await phone.close();
  }
}

/** A protocol-1 client sending one `cart:add` per round trip: connect, sync, then each edit after the last ack. */
async function drainSequentially(proxy: TcpProxy, edits: number): Promise<number> {
  const userId = newUser();
  const auth = { token: await token(userId, 'phone'), deviceId: 'phone', protocol: 1 };
  const started = performance.now();
  const socket = io(proxy.httpUrl, { forceNew: true, transports: ['websocket'], reconnection: false, auth });
  try {
    await timeout(new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject)), 20_000, 'sequential connect');
    await socket.timeout(20_000).emitWithAck('sync:since', { since: null });
    for (let i = 0; i < edits; i++) {
      const ack = (await socket.timeout(20_000).emitWithAck('cart:add', { seq: i + 1, ...edit(i) })) as Ack<MutationResult>;
      if (!ack.ok) throw new Error(`sequential cart:add refused: ${ack.error.code}`);
    }
    return performance.now() - started;
  } finally {
    socket.close();
  }
}

/** Phone and laptop online through the link: ms from the phone's add to the laptop's view, one at a time. */
async function liveLatency(proxy: TcpProxy, samples: number): Promise<number[]> {
  const userId = newUser();
  const [phoneToken, laptopToken] = await Promise.all([token(userId, 'phone'), token(userId, 'laptop')]);
  const clients: SyncClient[] = [
    createSyncClient({ url: proxy.httpUrl, getToken: () => phoneToken, deviceId: 'phone', storage: memoryStorage() }),
    createSyncClient({ url: proxy.httpUrl, getToken: () => laptopToken, deviceId: 'laptop', storage: memoryStorage() }),
  ];
  const [phone, laptop] = clients as [SyncClient, SyncClient];
  try {
    await timeout(Promise.all(clients.map((c) => c.ready)), 20_000, 'slow-link live clients ready');
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const seen = new Promise<void>((resolve) => {
        const off = laptop.onChange((event) => {
          if (event.type === 'change' && event.change.deviceId === 'phone' && event.change.op.type === 'cart:line' && event.change.op.sku === `live-${i}`) {
            off();
            resolve();
          }
        });
      });
      const started = performance.now();
      void phone.cart.add({ sku: `live-${i}`, title: 'Live', priceCents: 100, qty: 1 });
      await timeout(seen, 20_000, 'slow-link live change');
      times.push(performance.now() - started);
    }
    return times;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

function spread(samplesMs: number[]): { p50: number; max: number; samplesMs: number[] } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN, samplesMs };
}

export async function measureSlowLink(ctx: BenchContext): Promise<SlowLinkResult> {
  const deployment = await ctx.deploy('product', 1, 'slow-link');
  const target = Number(new URL(deployment.urls[0] ?? '').port);
  const rtts = [50, 200];
  const editCounts = [10, 100, 1000];
  // One mutation per round trip: 1,000 of them at 200 ms would take over 3 minutes, so it stops at 100.
  const sequentialUpTo = 100;
  const result: SlowLinkResult = { target: { ...TARGET }, pushMutations: LIMITS.pushMutations, links: [] };
  try {
    for (const rttMs of rtts) {
      const proxy = await startTcpProxy(target, { oneWayMs: rttMs / 2 });
      try {
        const link: SlowLinkResult['links'][number] = { rttMs, drains: [], live: spread(await liveLatency(proxy, ctx.quick ? 10 : 30)) };
        ctx.progress(`slow-link ${rttMs} ms round trip: live change phone → laptop p50 ${link.live.p50.toFixed(0)} ms, max ${link.live.max.toFixed(0)} ms`);
        for (const edits of editCounts) {
          const sdk = await drainWithSdk(proxy, edits);
          // Quick runs (CI) keep the reference only on the 200 ms link.
          const sequential = edits <= sequentialUpTo && (!ctx.quick || rttMs === TARGET.rttMs);
          const sequentialMs = sequential ? await drainSequentially(proxy, edits) : null;
          link.drains.push({ edits, sdkMs: sdk.ms, pushes: sdk.pushes, sequentialMs });
          ctx.progress(
            `slow-link ${rttMs} ms round trip: ${edits} offline edits acknowledged ${sdk.ms.toFixed(0)} ms after going online (${sdk.pushes} pushes)` +
              (sequentialMs === null ? '' : `; one per round trip: ${sequentialMs.toFixed(0)} ms`),
          );
        }
        result.links.push(link);
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await deployment.stop();
  }
  return result;
}

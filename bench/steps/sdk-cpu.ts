/**
 * The SDK's own CPU per change: one process holds a phone and a laptop of one user (on two product nodes) and
 * makes 1,000 sequential cart adds after a warm-up, each waiting for its ack and for the laptop to see it;
 * once through the SDK (send, ack, receive, apply, views), once with bare socket.io clients doing the same
 * exchange (`cart:add` with its ack, the `change` push). Reported: this process' CPU µs per change of each,
 * in interleaved rounds (the median ratio), and how long applying a catch-up of 1,000 changes blocks the event
 * loop of a device that was offline while another made them (issue 17: <= 50 ms).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { createSyncClient, memoryStorage, type SyncClient } from '../../client-sdk/src/index.ts';
import { PROTOCOL_VERSION, type Ack, type MutationResult } from '../../client-sdk/src/protocol/index.ts';
import { mintToken } from '../../test/support/tokens.ts';
import type { SdkCpuResult } from '../report/types.ts';
import { BENCH_JWT_SECRET } from '../systems.ts';
import type { BenchContext } from './context.ts';
import { timeout } from '../../test/support/timing.ts';

const TIMEOUT_MS = 20_000;
let users = 0;
const newUser = () => `sdk-cpu-${process.pid}-${++users}`;
const token = (userId: string, deviceId: string) => mintToken({ userId, deviceId, secret: BENCH_JWT_SECRET, ttlSec: 3600 });
const line = (i: number) => ({ sku: `sku-${i % 50}`, title: `Item ${i % 50}`, priceCents: 100, qty: 1 });

const within = <T,>(promise: Promise<T>, what: string): Promise<T> => timeout(promise, TIMEOUT_MS, what);

/** CPU µs of this process per run of `changes` calls of `one`. */
async function cpuPer(changes: number, one: (i: number) => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < changes; i++) await one(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / changes;
}

async function throughSdk(urls: [string, string], warmup: number, changes: number): Promise<number> {
  const userId = newUser();
  const [phoneToken, laptopToken] = await Promise.all([token(userId, 'phone'), token(userId, 'laptop')]);
  const phone = createSyncClient({ url: urls[0], getToken: () => phoneToken, deviceId: 'phone', storage: memoryStorage() });
  const laptop: SyncClient = createSyncClient({ url: urls[1], getToken: () => laptopToken, deviceId: 'laptop', storage: memoryStorage() });
  try {
    await within(Promise.all([phone.ready, laptop.ready]), 'sdk-cpu clients ready');
    let seen = 0;
    let arrived: (() => void) | null = null;
    laptop.onChange((event) => {
      if (event.type !== 'change' || event.change.deviceId !== 'phone') return;
      seen++;
      arrived?.();
    });
    const one = async (i: number) => {
      const target = seen + 1;
      const there = new Promise<void>((resolve) => (arrived = () => seen >= target && resolve()));
      await Promise.all([phone.cart.add(line(i)), there]);
    };
    await within(cpuPer(warmup, one), 'sdk-cpu warm-up');
    return await within(cpuPer(changes, (i) => one(warmup + i)), 'sdk-cpu run');
  } finally {
    await Promise.all([phone.close(), laptop.close()]);
  }
}

async function throughBareSockets(urls: [string, string], warmup: number, changes: number): Promise<number> {
  const userId = newUser();
  const open = async (url: string, deviceId: string) => {
    const socket = io(url, { forceNew: true, transports: ['websocket'], reconnection: false, auth: { token: await token(userId, deviceId), deviceId, protocol: PROTOCOL_VERSION } });
    await within(new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject)), 'bare connect');
    await socket.timeout(TIMEOUT_MS).emitWithAck('sync:since', { since: null });
    return socket;
  };
  const [phone, laptop] = await Promise.all([open(urls[0], 'phone'), open(urls[1], 'laptop')]);
  try {
    let arrived: (() => void) | null = null;
    laptop.on('change', () => arrived?.());
    let seq = 0;
    const one = async (i: number) => {
      const there = new Promise<void>((resolve) => (arrived = resolve));
      const ack = phone.timeout(TIMEOUT_MS).emitWithAck('cart:add', { seq: ++seq, ...line(i) }) as Promise<Ack<MutationResult>>;
      const [answer] = await Promise.all([ack, there]);
      if (!answer.ok) throw new Error(`bare cart:add refused: ${answer.error.code}`);
    };
    await within(cpuPer(warmup, one), 'bare warm-up');
    return await within(cpuPer(changes, (i) => one(warmup + i)), 'bare run');
  } finally {
    phone.close();
    laptop.close();
  }
}

const CATCH_UP_CHANGES = 1_000;

/**
 * The laptop goes offline, the phone makes CATCH_UP_CHANGES edits (offline, then pushed in batches), and the laptop
 * comes back: the longest the event loop of this process was blocked until the laptop holds the phone's version.
 */
async function catchUpBlock(urls: [string, string]): Promise<number> {
  const userId = newUser();
  const [phoneToken, laptopToken] = await Promise.all([token(userId, 'phone'), token(userId, 'laptop')]);
  const phone = createSyncClient({ url: urls[0], getToken: () => phoneToken, deviceId: 'phone', storage: memoryStorage() });
  const laptop = createSyncClient({ url: urls[1], getToken: () => laptopToken, deviceId: 'laptop', storage: memoryStorage() });
  try {
    await within(Promise.all([phone.ready, laptop.ready]), 'catch-up clients ready');
    laptop.goOffline();
    phone.goOffline();
    const acks = Array.from({ length: CATCH_UP_CHANGES }, (_, i) => phone.cart.add(line(i)));
    phone.goOnline();
    await timeout(Promise.all(acks), 60_000, 'catch-up edits acknowledged');
    const target = phone.version;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    const caughtUp = new Promise<void>((resolve) => {
      const check = () => laptop.version >= target && resolve();
      laptop.onChange(check);
      check();
    });
    delay.enable();
    laptop.goOnline();
    await within(caughtUp, 'laptop caught up');
    delay.disable();
    return delay.max / 1e6;
  } finally {
    await Promise.all([phone.close(), laptop.close()]);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

export async function measureSdkCpu(ctx: BenchContext): Promise<SdkCpuResult> {
  const deployment = await ctx.deploy('product', 2, 'sdk-cpu');
  const urls = [deployment.urls[0] ?? '', deployment.urls[1] ?? ''] as [string, string];
  const changes = 1_000;
  const warmup = ctx.quick ? 100 : 300;
  const rounds = ctx.quick ? 1 : 3;
  try {
    // Interleaved rounds, so a slow minute of the machine hits both alike; the median round is reported.
    const measured: Array<{ bare: number; sdk: number }> = [];
    for (let round = 0; round < rounds; round++) {
      const bare = await throughBareSockets(urls, warmup, changes);
      const sdk = await throughSdk(urls, warmup, changes);
      measured.push({ bare, sdk });
    }
    const ratio = median(measured.map((m) => m.sdk / m.bare));
    const typical = measured.find((m) => m.sdk / m.bare === ratio) ?? { bare: Number.NaN, sdk: Number.NaN };
    const catchUpBlockMs = await catchUpBlock(urls);
    const result: SdkCpuResult = {
      changes,
      sdkUsPerChange: typical.sdk,
      bareUsPerChange: typical.bare,
      ratio,
      targetRatio: 1.5,
      rounds: measured.map((m) => m.sdk / m.bare),
      catchUp: { changes: CATCH_UP_CHANGES, blockMs: catchUpBlockMs, targetMs: 50 },
    };
    ctx.progress(
      `sdk-cpu  ${changes} sequential cart adds, CPU of the client process per change: SDK ${typical.sdk.toFixed(0)} µs, bare socket.io clients ${typical.bare.toFixed(0)} µs ` +
        `(${ratio.toFixed(2)}×, median of ${rounds}: ${result.rounds.map((r) => r.toFixed(2)).join(', ')}; target ≤ ${result.targetRatio}×); ` +
        `a ${CATCH_UP_CHANGES}-change catch-up blocked the event loop ${catchUpBlockMs.toFixed(1)} ms at most (target ≤ 50 ms)`,
    );
    return result;
  } finally {
    await deployment.stop();
  }
}

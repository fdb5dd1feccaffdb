/**
 * What `REDIS_MIN_REPLICAS_ACK=1` costs: one primary with one replica (both from the support kit, AOF
 * `everysec`, as the bench's other Redis), two product nodes on it (the compiled server), one acknowledging after the primary's
 * commit and one after `WAIT 1`, and a device on each sending `cart:add` one after the other. The two are
 * interleaved sample by sample, so the machine's drift falls on both alike.
 */
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type Ack, type MutationResult } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, startGateway, type GatewayProcess } from '../../test/support/gateway-process.ts';
import { startRedis, type RedisServer } from '../../test/support/redis-server.ts';
import { poll, timeout } from '../../test/support/timing.ts';
import type { DurabilityResult } from '../report/types.ts';
import type { BenchContext } from './context.ts';
import { ensureBuilt } from './startup.ts';

const ACK_TIMEOUT_MS = 10_000;

async function connectDevice(gw: GatewayProcess, userId: string): Promise<Socket> {
  const auth = { token: await mintToken({ userId, deviceId: 'phone', ttlSec: 3600 }), deviceId: 'phone', protocol: PROTOCOL_VERSION };
  const socket = io(gw.url, { forceNew: true, transports: ['websocket'], reconnection: false, auth });
  await timeout(new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject)), 20_000, `durability connect to ${gw.nodeId}`);
  await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('sync:since', { since: null });
  return socket;
}

/** ms from sending one `cart:add` to its acknowledgement. */
async function timedAdd(socket: Socket, seq: number): Promise<number> {
  const started = performance.now();
  const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('cart:add', { seq, sku: `sku-${seq % 40}`, title: 'Durable', priceCents: 100, qty: 1 })) as Ack<MutationResult>;
  if (!ack.ok) throw new Error(`durability cart:add refused: ${ack.error.code} ${ack.error.message}`);
  return performance.now() - started;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

export async function measureDurability(ctx: BenchContext): Promise<DurabilityResult> {
  const samples = ctx.quick ? 200 : 2000;
  const began = performance.now();
  const servers: RedisServer[] = [];
  const nodes: GatewayProcess[] = [];
  const sockets: Socket[] = [];
  try {
    const primary = await startRedis({ appendFsync: 'everysec' });
    servers.push(primary);
    servers.push(await startRedis({ appendFsync: 'everysec', args: ['--replicaof', '127.0.0.1', String(primary.port)] }));
    const probe = new Redis(primary.url);
    try {
      await poll(async () => /slave0:.*state=online/.test(await probe.info('replication')), { timeoutMs: 20_000, what: 'the replica online' });
    } finally {
      probe.disconnect();
    }
    // The compiled server starts in a fraction of tsx's time, which keeps the step short enough for --quick.
    await ensureBuilt();
    const env = (ack: number) => ({ REDIS_MIN_REPLICAS_ACK: String(ack), RATE_LIMIT_PER_SEC: '5000', RATE_LIMIT_BURST: '10000', LOG_LEVEL: 'warn' });
    const [plain, durable] = await Promise.all([
      startGateway({ redisUrl: primary.url, nodeId: 'ack-0', env: env(0), compiled: true }),
      startGateway({ redisUrl: primary.url, nodeId: 'ack-1', env: env(1), compiled: true }),
    ]);
    nodes.push(plain, durable);
    const startedMs = performance.now() - began;
    const run = `${process.pid}-${Date.now()}`;
    const [plainDevice, durableDevice] = await Promise.all([connectDevice(plain, `ack0-${run}`), connectDevice(durable, `ack1-${run}`)]);
    sockets.push(plainDevice, durableDevice);
    const times = { plain: [] as number[], durable: [] as number[] };
    const warmup = 30;
    for (let i = 1; i <= samples + warmup; i++) {
      const a = await timedAdd(plainDevice, i);
      const b = await timedAdd(durableDevice, i);
      if (i > warmup) {
        times.plain.push(a);
        times.durable.push(b);
      }
    }
    const result: DurabilityResult = { samples, replicas: 1, ack0: summary(times.plain), ack1: summary(times.durable), stepMs: Math.round(performance.now() - began) };
    ctx.progress(
      `durability ${samples} sequential cart:add acks per node: REDIS_MIN_REPLICAS_ACK=0 p50 ${result.ack0.p50.toFixed(2)} / p99 ${result.ack0.p99.toFixed(2)} ms, ` +
        `=1 p50 ${result.ack1.p50.toFixed(2)} / p99 ${result.ack1.p99.toFixed(2)} ms (step ${(result.stepMs / 1000).toFixed(1)} s, ${(startedMs / 1000).toFixed(1)} s of it starting Redis and the nodes)`,
    );
    return result;
  } finally {
    for (const socket of sockets) socket.close();
    await Promise.all(nodes.map((n) => n.kill('SIGKILL').catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  }
}

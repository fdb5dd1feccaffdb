import { Redis } from 'ioredis';
import type { Deployment } from '../harness/deployment.ts';
import type { ConnectOutcome } from '../harness/load-process.ts';
import type { DeviceSpec } from '../load/drivers/driver.ts';
import type { ConnectRequest } from '../load/main.ts';
import { BENCH_JWT_SECRET, SYSTEMS, type RowId } from '../systems.ts';
import type { BenchContext } from './context.ts';

/** A connect request for a row's driver (the product's carries the secret the load process signs with). */
export function connectRequest(row: RowId, group: string, devices: DeviceSpec[], concurrency = 50): ConnectRequest {
  const kind = SYSTEMS[row].driver;
  const product = kind === 'product' || kind === 'product-sdk';
  return { kind, group, devices, concurrency, ...(product ? { product: { jwtSecret: BENCH_JWT_SECRET } } : {}) };
}

/** Connects devices and fails loudly when some could not connect. */
export async function connectAll(ctx: BenchContext, row: RowId, group: string, devices: DeviceSpec[], concurrency = 50): Promise<ConnectOutcome> {
  const outcome = await ctx.load(row).connect(connectRequest(row, group, devices, concurrency));
  if (outcome.failed > 0) {
    throw new Error(`${row}: ${outcome.failed} of ${devices.length} devices did not connect (${outcome.errors.join(' | ')})`);
  }
  return outcome;
}

/** The pids whose CPU a measurement charges to a system: its nodes and its Redis. */
export function systemPids(deployment: Deployment): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const node of deployment.nodes) pids[node.name] = node.pid;
  if (deployment.redis.pid !== undefined) pids.redis = deployment.redis.pid;
  return pids;
}

export async function redisUsedMemory(url: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const info = await client.info('memory');
    const match = /used_memory:(\d+)/.exec(info);
    return match?.[1] ? Number(match[1]) : 0;
  } finally {
    client.disconnect();
  }
}

/** `a, b, c` rotated by `n`, so no system always runs first (the machine drifts between minutes). */
export function rotate<T>(items: readonly T[], n: number): T[] {
  if (items.length === 0) return [];
  const k = n % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err);
}

export const fmtMs = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms).toString());

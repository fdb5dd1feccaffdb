/**
 * Webhooks: how many events per second one node delivers to a fast local receiver, and what recording and
 * delivering them adds to each mutation. Two one-node deployments in the same run: "on" declares an endpoint
 * (WEBHOOKS_FILE) subscribed to cart.updated, "off" none (nothing is recorded without a subscriber). Every
 * mutation is a backend API cart add for a user of its own, so each one makes exactly one event (no
 * debounce merging: the worst case). The receiver verifies every delivery with standardwebhooks.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret } from '../../server/webhooks/signing.ts';
import { freePort } from '../../test/support/free-port.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';
import type { Deployment } from '../harness/deployment.ts';
import { cpuMsOf } from '../harness/proc-stats.ts';
import type { WebhooksBenchResult } from '../report/types.ts';
import type { BenchContext } from './context.ts';

const API_KEY = 'bench-webhooks-key-0123456789abcdef0123456789';
const CONCURRENCY = 16;
const DELIVERY_TIMEOUT_MS = 60_000;
let users = 0;

interface Side {
  name: 'on' | 'off';
  deployment: Deployment;
  adminUrl: string;
}

async function deploySide(ctx: BenchContext, name: 'on' | 'off', receiver: WebhookReceiver, secret: string): Promise<Side> {
  const adminPort = await freePort();
  const env: Record<string, string> = {
    ADMIN_PORT: String(adminPort),
    API_KEYS: `bench:${API_KEY}:write`,
    API_RATE_LIMIT_PER_SEC: '100000',
    API_RATE_LIMIT_BURST: '100000',
  };
  if (name === 'on') {
    const file = join(ctx.logDir, 'webhooks-bench.json');
    writeFileSync(file, JSON.stringify({ endpoints: [{ id: 'ep_bench', url: receiver.url, events: ['cart.updated'], secret }] }));
    Object.assign(env, { WEBHOOKS_FILE: file, WEBHOOKS_ALLOW_HTTP: 'true', WEBHOOKS_ALLOW_PRIVATE: 'true', WEBHOOK_DEBOUNCE_MS: '0' });
  }
  const deployment = await ctx.deploy('product', 1, `webhooks-${name}`, { env });
  return { name, deployment, adminUrl: `http://127.0.0.1:${adminPort}` };
}

/** One backend API cart add for a fresh user; resolves with its latency (ms). */
async function addLine(side: Side): Promise<number> {
  const userId = `wh-${process.pid}-${++users}`;
  const started = performance.now();
  const res = await fetch(`${side.adminUrl}/v1/users/${userId}/cart/lines`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ sku: 'tv-55', title: 'TV 55', priceCents: 49900, qty: 1 }),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`webhooks bench: cart add answered ${res.status} on ${side.name}`);
  return performance.now() - started;
}

/** `count` adds, CONCURRENCY at a time; their latencies. */
async function writeMany(side: Side, count: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        next++;
        latencies.push(await addLine(side));
      }
    }),
  );
  return latencies;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
};

const cpuOf = (side: Side) => {
  const pids = [...side.deployment.nodes.map((n) => n.pid), ...(side.deployment.redis.pid ? [side.deployment.redis.pid] : [])];
  return pids.reduce((sum, pid) => sum + (cpuMsOf(pid) ?? 0), 0);
};

export async function measureWebhooks(ctx: BenchContext): Promise<WebhooksBenchResult> {
  const secret = generateSecret().text;
  const receiver = await startWebhookReceiver({ secrets: [secret] });
  const sides: Side[] = [];
  try {
    sides.push(await deploySide(ctx, 'on', receiver, secret), await deploySide(ctx, 'off', receiver, secret));
    const [on, off] = sides as [Side, Side];
    const warmup = ctx.quick ? 100 : 500;
    await writeMany(on, warmup);
    await writeMany(off, warmup);
    await receiver.waitForEvents(warmup, DELIVERY_TIMEOUT_MS);

    // Delivery rate: a burst of writes on "on"; the rate is events over the span from the first write to the last delivery.
    const events = ctx.quick ? 600 : 10_000;
    const before = receiver.events().length;
    const burstStart = performance.now();
    await writeMany(on, events);
    const writesDone = performance.now();
    const writesDoneAt = Date.now();
    const burst = (await receiver.waitForEvents(before + events, DELIVERY_TIMEOUT_MS)).slice(before);
    const delivered = performance.now();
    const deliveredPerSec = events / ((delivered - burstStart) / 1000);
    const writesPerSec = events / ((writesDone - burstStart) / 1000);
    // What was still queued when the writes ended, delivered with the node doing nothing else.
    const tail = burst.filter((e) => e.receivedAtMs > writesDoneAt);
    const lastAt = burst.reduce((max, e) => Math.max(max, e.receivedAtMs), writesDoneAt);
    const backlogPerSec = tail.length >= Math.max(50, events / 10) && lastAt > writesDoneAt ? tail.length / ((lastAt - writesDoneAt) / 1000) : null;

    // Cost per mutation: node + Redis CPU per add, interleaved rounds, "on" counted until its events are delivered.
    const rounds = ctx.quick ? 2 : 5;
    const perRound = ctx.quick ? 250 : 1_000;
    const cpu = { on: 0, off: 0 };
    const latency: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 === 0 ? [on, off] : [off, on]) {
        const expected = receiver.events().length + (side.name === 'on' ? perRound : 0);
        const start = cpuOf(side);
        latency[side.name].push(...(await writeMany(side, perRound)));
        if (side.name === 'on') await receiver.waitForEvents(expected, DELIVERY_TIMEOUT_MS);
        cpu[side.name] += cpuOf(side) - start;
      }
    }
    const mutations = rounds * perRound;
    const onUs = (cpu.on * 1000) / mutations;
    const offUs = (cpu.off * 1000) / mutations;
    const result: WebhooksBenchResult = {
      events,
      deliveredPerSec,
      writesPerSec,
      backlogPerSec,
      unverified: receiver.unverified().length,
      cost: {
        mutations,
        onCpuUsPerMutation: onUs,
        offCpuUsPerMutation: offUs,
        ratio: onUs / offUs,
        onLatencyMs: { p50: percentile(latency.on, 50), p99: percentile(latency.on, 99) },
        offLatencyMs: { p50: percentile(latency.off, 50), p99: percentile(latency.off, 99) },
      },
    };
    ctx.progress(
      `webhooks ${events} events (one per cart add through the backend API, ${CONCURRENCY} at a time) delivered by one node to a local receiver at ${Math.round(deliveredPerSec)}/s (writes offered at ${Math.round(writesPerSec)}/s${backlogPerSec === null ? '' : `; the backlog left after the writes at ${Math.round(backlogPerSec)}/s`}); ` +
        `node + Redis CPU per mutation with webhooks on ${Math.round(onUs)} µs, off ${Math.round(offUs)} µs (${result.cost.ratio.toFixed(2)}×), add p50 ${result.cost.onLatencyMs.p50.toFixed(2)} vs ${result.cost.offLatencyMs.p50.toFixed(2)} ms; ${result.unverified} deliveries failed verification`,
    );
    if (result.unverified > 0) throw new Error(`${result.unverified} webhook deliveries failed standardwebhooks verification`);
    return result;
  } finally {
    await Promise.all(sides.map((s) => s.deployment.stop()));
    await receiver.close();
  }
}

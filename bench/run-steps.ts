/** The bench run's measurements, step by step; every failure is recorded on its row and the run goes on. */
import type { CliOptions } from './cli.ts';
import type { Deployment } from './harness/deployment.ts';
import { coresUsed } from './harness/quiet.ts';
import type { BenchResults, RowResult } from './report/types.ts';
import { errorText } from './steps/common.ts';
import type { BenchContext } from './steps/context.ts';
import { measureDurability } from './steps/durability.ts';
import { measureFailover } from './steps/failover.ts';
import { measureFanout } from './steps/fanout.ts';
import { connectPairs, measureLatency, type PairSet } from './steps/latency.ts';
import { measureMemory } from './steps/memory.ts';
import { profileRow } from './steps/profile.ts';
import { measureSdkCpu } from './steps/sdk-cpu.ts';
import { measureSlowLink } from './steps/slow-link.ts';
import { measureStartup } from './steps/startup.ts';
import { measureThroughput } from './steps/throughput.ts';
import { measureWebhooks } from './steps/webhooks.ts';
import { SYSTEMS, type RowId } from './systems.ts';

export interface Measured {
  rows: Map<RowId, RowResult>;
  profile: BenchResults['profile'];
  startup: BenchResults['startup'];
  slowLink: BenchResults['slowLink'];
  sdkCpu: BenchResults['sdkCpu'];
  durability: BenchResults['durability'];
  webhooks: BenchResults['webhooks'];
}

type Fail = (row: RowId, step: string, err: unknown) => void;

/** Runs every step the options ask for and collects the rows. */
export async function measureAll(ctx: BenchContext, options: CliOptions, log: (line: string) => void): Promise<Measured> {
  const rows = new Map<RowId, RowResult>(
    options.rows.map((id) => [id, { id, label: SYSTEMS[id].label, latency: {}, throughput: null, memory: [], failover: null, fanout: null, errors: [] }]),
  );
  const fail: Fail = (row, step, err) => {
    const text = `${step}: ${errorText(err)}`;
    rows.get(row)?.errors.push(text);
    log(`ERROR ${row} ${text}`);
  };
  const startup = !options.profile && options.steps.includes('startup') && rows.has('product') ? await measureStartupStep(ctx, fail) : null;
  if (options.profile) return { rows, startup, slowLink: null, sdkCpu: null, durability: null, webhooks: null, profile: await profileStep(ctx, options, fail) };
  await measureLoadSteps(ctx, options, rows, fail, log);
  if (options.steps.includes('failover') && rows.has('product')) {
    try {
      rows.get('product')!.failover = await measureFailover(ctx);
    } catch (err) {
      fail('product', 'failover', err);
    }
  }
  let slowLink: BenchResults['slowLink'] = null;
  if (options.steps.includes('slow-link') && rows.has('product')) {
    try {
      slowLink = await measureSlowLink(ctx);
    } catch (err) {
      fail('product', 'slow-link', err);
    }
  }
  let sdkCpu: BenchResults['sdkCpu'] = null;
  if (options.steps.includes('sdk-cpu') && rows.has('product')) {
    try {
      sdkCpu = await measureSdkCpu(ctx);
    } catch (err) {
      fail('product', 'sdk-cpu', err);
    }
  }
  let durability: BenchResults['durability'] = null;
  if (options.steps.includes('durability') && rows.has('product')) {
    try {
      durability = await measureDurability(ctx);
    } catch (err) {
      fail('product', 'durability', err);
    }
  }
  let webhooks: BenchResults['webhooks'] = null;
  if (options.steps.includes('webhooks') && rows.has('product')) {
    try {
      webhooks = await measureWebhooks(ctx);
    } catch (err) {
      fail('product', 'webhooks', err);
    }
  }
  if (options.steps.includes('fanout')) await measureFanoutStep(ctx, options, rows, fail);
  return { rows, startup, slowLink, sdkCpu, durability, webhooks, profile: null };
}

async function measureStartupStep(ctx: BenchContext, fail: Fail): Promise<BenchResults['startup']> {
  try {
    return await measureStartup(ctx);
  } catch (err) {
    fail('product', 'startup', err);
    return null;
  }
}

async function profileStep(ctx: BenchContext, options: CliOptions, fail: Fail): Promise<BenchResults['profile']> {
  const row = options.rows.length === 1 ? (options.rows[0] ?? 'product') : 'product';
  try {
    return await profileRow(ctx, row, options.profileRate);
  } catch (err) {
    fail(row, 'profile', err);
    return null;
  }
}

/** Memory, latency and throughput on one two-node deployment per row. */
async function measureLoadSteps(ctx: BenchContext, options: CliOptions, rows: Map<RowId, RowResult>, fail: Fail, log: (line: string) => void): Promise<void> {
  const measuresLoad = options.steps.includes('latency') || options.steps.includes('throughput');
  if (!measuresLoad && !options.steps.includes('memory')) return;
  // One two-node deployment per row: memory is measured on its fresh node 1 first, then the pairs connect.
  const deployments: Deployment[] = [];
  const sets: PairSet[] = [];
  for (const row of options.rows) {
    let deployment: Deployment;
    try {
      deployment = await ctx.deploy(row, 2, row);
      deployments.push(deployment);
    } catch (err) {
      fail(row, 'deploy', err);
      continue;
    }
    // The SDK row runs the same server as the product row: its memory per connection is the product's.
    if (options.steps.includes('memory') && row !== 'product-sdk') {
      try {
        rows.get(row)!.memory = await measureMemory(ctx, row, deployment);
      } catch (err) {
        fail(row, 'memory', err);
      }
    }
    if (!measuresLoad) continue;
    try {
      sets.push(await connectPairs(ctx, row, deployment));
    } catch (err) {
      fail(row, 'connect', err);
    }
  }
  ctx.idleCores = await coresUsed(ctx.benchPids(), 1_500);
  log(`idle     all rows connected: the bench's processes use ${ctx.idleCores.toFixed(2)} cores with nothing offered`);
  try {
    if (options.steps.includes('latency')) {
      for (const [row, latency] of await measureLatency(ctx, sets)) rows.get(row)!.latency = latency;
    }
    if (options.steps.includes('throughput')) {
      for (const [row, throughput] of await measureThroughput(ctx, sets)) rows.get(row)!.throughput = throughput;
    }
  } catch (err) {
    for (const set of sets) fail(set.row, 'latency/throughput', err);
  }
  for (const set of sets) await ctx.load(set.row).close(`pairs-${set.row}`).catch(() => undefined);
  for (const deployment of deployments) await deployment.stop();
}

async function measureFanoutStep(ctx: BenchContext, options: CliOptions, rows: Map<RowId, RowResult>, fail: Fail): Promise<void> {
  // Quick: the classic adapter against the product (dynamic sharded) is the comparison that matters.
  const fanoutRows = options.rows.filter((r) => r !== 'product-sdk' && (!options.quick || r === 'sio-classic' || r === 'product'));
  for (const row of fanoutRows) {
    try {
      rows.get(row)!.fanout = await measureFanout(ctx, row);
    } catch (err) {
      fail(row, 'fanout', err);
    }
  }
}

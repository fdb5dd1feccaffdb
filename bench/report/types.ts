import type { LatencySummary } from '../harness/histogram.ts';
import type { RowId } from '../systems.ts';

export interface LatencyAtRate {
  rate: number;
  latency: LatencySummary;
  /** the sender's round trip to its ack (systems that acknowledge) */
  ack: LatencySummary | null;
  sent: number;
  lost: number;
  failed: Record<string, number>;
  /** CPU ms the system's processes (nodes + Redis) spent per 1,000 changes */
  cpuMsPer1k: number;
  /** the same split by role: node1 (receives the sends), node2 (delivers), redis */
  cpuMsPer1kByRole: Record<string, number>;
  sendLagP99Ms: number;
}

export interface ThroughputStep {
  rate: number;
  achievedRate: number;
  p99: number | null;
  lost: number;
  failed: number;
  verdict: 'ok' | 'p99' | 'loss' | 'load-bound';
}

export interface Throughput {
  /** the highest offered rate with p99 ≤ 50 ms and nothing lost (null: not even the first step) */
  maxRate: number | null;
  /** why it stopped: the verdict of the first failed step, or `ceiling` when every step passed */
  stoppedBy: ThroughputStep['verdict'] | 'ceiling' | null;
  steps: ThroughputStep[];
}

export interface MemoryLevel {
  connections: number;
  /** growth since the empty (warmed-up) node, per connection: includes what the first connections cost once */
  rssKBPerConn: number;
  heapKBPerConn: number;
  /** growth since the first level, per added connection (the slope; equals the above at the first level) */
  rssKBPerConnSlope: number;
  heapKBPerConnSlope: number;
  rssBytes: number;
  heapBytes: number;
  /** Redis used_memory growth per connection (state a system keeps per device) */
  redisKBPerConn: number;
  connectMs: number;
}

export interface FailoverSummary {
  devices: number;
  reconnected: number;
  caughtUp: number;
  reconnectMs: LatencySummary;
  catchUpMs: LatencySummary;
  /** per-device phases of the first reconnect (ms): drop seen after the kill, backoff, handshake, sync answer */
  phasesMs: Record<'dropped' | 'backoff' | 'handshake' | 'sync', LatencySummary>;
  recoveredChanges: number;
  snapshots: number;
  partnerWrites: number;
  partnerFailures: Record<string, number>;
  connectFailures: number;
  errors: string[];
  /** CPU ms from the kill until the end: each survivor node and the load process (which shares the cores) */
  cpuMs: Record<string, number>;
}

export interface FanoutSummary {
  nodes: number;
  /** one change to a user with many devices: latency until the last device has it */
  oneUser: { devices: number; changes: number; lastDevice: LatencySummary; lost: number };
  /** many users on nodes 1-2, other users idle on nodes 3-4 */
  manyUsers: {
    users: number;
    rate: number;
    latency: LatencySummary;
    lost: number;
    changes: number;
    /** pub/sub deliveries that nodes holding none of the senders' devices read from Redis, per change */
    foreignDeliveriesPerChange: number;
    foreignBytesPerChange: number;
    /** CPU those bystander nodes spent per 1,000 changes */
    foreignCpuMsPer1k: number;
  };
}

export interface RowResult {
  id: RowId;
  label: string;
  latency: Record<string, LatencyAtRate>;
  throughput: Throughput | null;
  memory: MemoryLevel[];
  failover: FailoverSummary | null;
  fanout: FanoutSummary | null;
  errors: string[];
}

export interface HotSpot {
  selfMs: number;
  share: number;
  name: string;
  where: string;
}

export interface BenchResults {
  runId: string;
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full' | 'profile';
  command: string;
  commit: string | null;
  machine: { cpus: number; cpuModel: string; memGB: number; node: string; redis: string; os: string; fdSoft: number };
  settings: Record<string, unknown>;
  reference: RowId;
  rows: RowResult[];
  profile: ProfileSummary | null;
  /** the `startup` step: process start to /readyz of one node on the memory engine */
  startup?: StartupResult | null;
  /** the `slow-link` step: offline edits drained and live changes through a delaying proxy */
  slowLink?: SlowLinkResult | null;
  /** the `sdk-cpu` step: the client process' CPU per change, SDK against bare socket.io clients */
  sdkCpu?: SdkCpuResult | null;
  /** the `durability` step: a mutation's ack with REDIS_MIN_REPLICAS_ACK=1 against 0, interleaved */
  durability?: DurabilityResult | null;
  /** the `webhooks` step: events per second one node delivers, and the cost per mutation with webhooks on vs off */
  webhooks?: WebhooksBenchResult | null;
  notes: string[];
}

export interface DurabilityResult {
  /** sequential acks measured per node */
  samples: number;
  replicas: number;
  /** ack latency in ms, acknowledged on the primary's commit */
  ack0: { p50: number; p99: number };
  /** ack latency in ms, acknowledged after WAIT 1 */
  ack1: { p50: number; p99: number };
  /** the step's wall time, Redis and node starts included */
  stepMs: number;
}

export interface WebhooksBenchResult {
  /** events in the delivery-rate burst (one per backend API cart add of a fresh user) */
  events: number;
  /** events over the span from the burst's first write to its last delivery, one node, local receiver */
  deliveredPerSec: number;
  /** the rate the burst's writes were made at (bounds deliveredPerSec when delivery keeps up) */
  writesPerSec: number;
  /** events still queued when the burst's writes ended, over the time to deliver them (null: too few queued to tell) */
  backlogPerSec: number | null;
  /** deliveries the receiver's standardwebhooks verifier refused (must be 0) */
  unverified: number;
  cost: {
    mutations: number;
    /** node + Redis CPU per mutation, "on" until its events were delivered */
    onCpuUsPerMutation: number;
    offCpuUsPerMutation: number;
    ratio: number;
    onLatencyMs: { p50: number; p99: number };
    offLatencyMs: { p50: number; p99: number };
  };
}

export interface SdkCpuResult {
  changes: number;
  sdkUsPerChange: number;
  bareUsPerChange: number;
  ratio: number;
  targetRatio: number;
  /** the ratio of each interleaved round (`ratio` is their median) */
  rounds: number[];
  /** a device applying `changes` changes made while it was offline: the longest the event loop was blocked */
  catchUp: { changes: number; blockMs: number; targetMs: number };
}

export interface SlowLinkResult {
  /** issue 17: `edits` offline edits over a `rttMs` round trip acknowledged within `withinMs` of going online */
  target: { rttMs: number; edits: number; withinMs: number };
  pushMutations: number;
  links: Array<{
    rttMs: number;
    /** ms from going online to the last ack: the SDK (in `pushes` pushes) and one mutation per round trip */
    drains: Array<{ edits: number; sdkMs: number; pushes: number; sequentialMs: number | null }>;
    /** ms from the phone's add to the laptop's view, one change at a time */
    live: { p50: number; max: number; samplesMs: number[] };
  }>;
}

export interface StartupResult {
  targetMs: number;
  /** `node dist/server.js`; wall time, and the process' CPU time until ready (less sensitive to a busy machine) */
  compiled: StartupSamples;
  /** `node --import tsx server/main.ts`, for comparison */
  source: StartupSamples;
}

export interface StartupSamples {
  medianMs: number;
  samplesMs: number[];
  cpuMedianMs: number | null;
}

export interface ProfileSummary {
  row: RowId;
  rate: number;
  seconds: number;
  /** per node: self time by function and by package, and inclusive time of our own functions (`ours`) */
  nodes: Array<{ name: string; role: string; busyMs: number; hotSpots: HotSpot[]; byPackage: HotSpot[]; ours: HotSpot[]; file: string }>;
}

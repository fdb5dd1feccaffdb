import type { Change, Mutation, Snapshot } from '../../../client-sdk/src/protocol/index.ts';
import { canonical, emptyUser, mutate, type UserModel } from './model.ts';
import { check, type Check } from './scenario.ts';
import { signature, SHARED_SKUS, SHARED_VIDEO, type PlannedOp } from './workload.ts';

/** One operation a client performed, and what became of its promise. */
export interface OpRecord {
  userId: string;
  deviceId: string;
  op: PlannedOp;
  issuedAt: number;
  /** `carried`: its client was closed (an app restart) and the stored outbox carries it to the next client. */
  status: 'pending' | 'acked' | 'rejected' | 'carried';
  settledAt: number | null;
  code: string | null;
  /** The device's seq, once acknowledged. */
  seq?: number;
}

/** The server's truth for one user, read through the engine (state and whole log). */
export interface ServerTruth {
  userId: string;
  epoch: string;
  version: number;
  state: Snapshot;
  /** The whole log from version 0, or null when it no longer reaches back (then only state checks run). */
  log: Change[] | null;
}

/** One device's final local view. */
export interface DeviceFinal {
  userId: string;
  deviceId: string;
  epoch: string | null;
  version: number;
  state: Snapshot;
  pending: number;
}

export interface InvariantInput {
  ops: readonly OpRecord[];
  truths: readonly ServerTruth[];
  devices: readonly DeviceFinal[];
  /** Positions of the shared video each client saw, in order (client id → positions). */
  sharedVideoSeen: ReadonlyMap<string, readonly number[]>;
  /**
   * Set when the store lost its data (scenario 4): operations acknowledged before this time are expected
   * to be gone (they are counted as `lostToStoreWipe`, not as lost), and the checks start from empty state.
   */
  storeWipedAt?: number;
  /**
   * Acknowledged changes the SDK reported lost to some device (`deviceId:seq`, from onChangesLost: the store
   * went back in time). They are expected to be gone (counted as `lostReported`); any other missing
   * acknowledged change is lost silently and fails the run.
   */
  lostReported?: ReadonlySet<string>;
}

export interface InvariantReport {
  lost: number;
  duplicated: number;
  checks: Check[];
  figures: { acknowledged: number; pendingAtEnd: number; rejected: number; lostToStoreWipe: number; lostReported: number; diverged: number; backwards: number };
}

const isWildcard = (op: PlannedOp) => op.kind === 'watch' || op.kind === 'remove';

/** Longest common subsequence of the device's operations and its logged changes (a noop matches a report or a remove). */
function matchCount(ops: readonly PlannedOp[], changes: readonly Change[]): number {
  const sig = changes.map((c) => (c.op.type === 'cart:line' ? `cart:${c.op.sku}` : c.op.type === 'watch' ? `watch:${c.op.entry.videoId}` : c.op.type));
  const n = ops.length;
  const m = changes.length;
  let prev = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    const cur = new Array<number>(m + 1).fill(0);
    const op = ops[i - 1];
    for (let j = 1; j <= m; j++) {
      const s = sig[j - 1];
      const same = op !== undefined && (s === signature(op) || (s === 'noop' && isWildcard(op)));
      cur[j] = same ? (prev[j - 1] ?? 0) + 1 : Math.max(prev[j] ?? 0, cur[j - 1] ?? 0);
    }
    prev = cur;
  }
  return prev[m] ?? 0;
}

/** The protocol mutation a planned operation becomes (seq and event time supplied by the caller). */
function toMutation(op: PlannedOp, seq: number, at: number): Mutation {
  switch (op.kind) {
    case 'add':
      return { event: 'cart:add', request: { seq, sku: op.sku, title: op.title, priceCents: op.priceCents, qty: op.qty } };
    case 'set':
      return { event: 'cart:set', request: { seq, sku: op.sku, qty: op.qty } };
    case 'remove':
      return { event: 'cart:remove', request: { seq, sku: op.sku } };
    case 'watch':
      return { event: 'watch:report', request: { seq, videoId: op.videoId, positionSec: op.positionSec, durationSec: op.durationSec, at, kind: op.seek ? 'seek' : 'progress' } };
  }
}

/**
 * What the server must hold for a user, computed from the operations alone with the reference model
 * (harness/model.ts, the one the model-based engine test holds both engines to): the shared skus' adds in
 * any order (they commute), each device's own skus and videos in that device's order (event times rising).
 * Operations the model itself refuses are returned too: the server must not have accepted them.
 */
function expectedFor(ops: readonly OpRecord[]) {
  const shared = emptyUser();
  const own = new Map<string, UserModel>();
  const seqs = new Map<string, number>();
  const refusedByModel: string[] = [];
  let sharedVideoMax = 0;
  let clock = 1;
  for (const { deviceId, op } of ops) {
    if (op.kind === 'watch' && op.shared) {
      sharedVideoMax = Math.max(sharedVideoMax, op.positionSec);
      continue;
    }
    const seq = (seqs.get(deviceId) ?? 0) + 1;
    seqs.set(deviceId, seq);
    const target = op.kind === 'add' && op.shared ? shared : (own.get(deviceId) ?? own.set(deviceId, emptyUser()).get(deviceId));
    if (!target) continue;
    const outcome = mutate(target, deviceId, toMutation(op, seq, clock++), Number.MAX_SAFE_INTEGER);
    if (outcome.kind === 'refused') refusedByModel.push(`${deviceId} ${signature(op)} (${outcome.code})`);
  }
  const sharedQty = new Map<string, number>(SHARED_SKUS.map((sku) => [sku, shared.cart.get(sku)?.qty ?? 0]));
  const ownQty = new Map<string, number>();
  const videos = new Map<string, number>();
  for (const model of own.values()) {
    for (const line of model.cart.values()) ownQty.set(line.sku, line.qty);
    for (const entry of model.watch.values()) videos.set(entry.videoId, entry.positionSec);
  }
  return { shared: sharedQty, own: ownQty, videos, sharedVideoMax, refusedByModel };
}

/**
 * The one invariant checker every scenario uses:
 * - every acknowledged (and every still-pending) operation is in the final server state exactly once: the
 *   state equals what the operations imply, and each device's logged changes align one-to-one with its
 *   operations (an unmatched operation is lost, an unmatched change is a duplicate);
 * - a refused operation left no trace; nothing is still pending at the end;
 * - every device ends with the server's state, epoch and version;
 * - the shared video's progress never went backwards, on the server or on any client.
 */
export function checkInvariants(input: InvariantInput): InvariantReport {
  const checks: Check[] = [];
  let lost = 0;
  let duplicated = 0;
  let lostToStoreWipe = 0;
  let lostReported = 0;
  const problems: string[] = [];
  const byUser = new Map<string, OpRecord[]>();
  for (const rec of input.ops) byUser.set(rec.userId, [...(byUser.get(rec.userId) ?? []), rec]);

  for (const truth of input.truths) {
    const all = byUser.get(truth.userId) ?? [];
    const wiped = input.storeWipedAt;
    const before = wiped === undefined ? [] : all.filter((r) => r.status === 'acked' && (r.settledAt ?? 0) < wiped);
    lostToStoreWipe += before.length;
    // A change lost with the old history may have been sent again and applied in the new one (its first
    // answer was `unavailable`): only one the server's log lacks counts as lost.
    const logged = new Set((truth.log ?? []).map((c) => `${c.deviceId}:${c.seq}`));
    const reported = all.filter((r) => r.status === 'acked' && r.seq !== undefined && input.lostReported?.has(`${r.deviceId}:${r.seq}`) && !logged.has(`${r.deviceId}:${r.seq}`));
    lostReported += reported.length;
    const live = all.filter((r) => r.status !== 'rejected' && !before.includes(r) && !reported.includes(r));
    const expected = expectedFor(live);
    for (const refused of expected.refusedByModel.slice(0, 3)) problems.push(`${truth.userId}: the server accepted what the model refuses: ${refused}`);
    const lines = new Map(truth.state.cart.map((l) => [l.sku, l.qty]));
    for (const [sku, qty] of expected.shared) {
      const got = lines.get(sku) ?? 0;
      if (got > qty) duplicated += 1;
      if (got < qty) lost += 1;
      if (got !== qty) problems.push(`${truth.userId} ${sku}: server qty ${got}, expected ${qty}`);
    }
    for (const [sku, got] of lines) {
      if (SHARED_SKUS.includes(sku)) continue;
      const want = expected.own.get(sku);
      if (want !== got) problems.push(`${truth.userId} ${sku}: server qty ${got}, expected ${want ?? 'no line'}`);
    }
    for (const [sku, want] of expected.own) if (!lines.has(sku)) problems.push(`${truth.userId} ${sku}: no line on the server, expected qty ${want}`);
    const entries = new Map(truth.state.watch.map((w) => [w.videoId, w.positionSec]));
    for (const [videoId, want] of expected.videos) {
      if (entries.get(videoId) === want) continue;
      const reports = live.filter((r) => r.op.kind === 'watch' && r.op.videoId === videoId).slice(-3);
      const logged = (truth.log ?? []).filter((c) => (c.op.type === 'watch' && c.op.entry.videoId === videoId) || (c.op.type === 'noop' && c.deviceId === reports[0]?.deviceId)).slice(-4);
      const evidence = [
        `last reports ${reports.map((r) => (r.op.kind === 'watch' ? `${r.op.seek ? 'seek' : 'pos'} ${r.op.positionSec} ${r.status}@${(r.settledAt ?? 0) - r.issuedAt}ms` : '')).join(', ')}`,
        `last changes ${logged.map((c) => (c.op.type === 'watch' ? `v${c.version} seq${c.seq} pos ${c.op.entry.positionSec} at ${c.op.entry.updatedAt}` : `v${c.version} seq${c.seq} noop`)).join(', ')}`,
      ];
      problems.push(`${truth.userId} ${videoId}: server position ${entries.get(videoId) ?? 'none'}, expected ${want} (${evidence.join('; ')})`);
    }
    const sharedPos = entries.get(SHARED_VIDEO);
    if (sharedPos !== undefined && sharedPos > expected.sharedVideoMax) problems.push(`${truth.userId} ${SHARED_VIDEO}: position ${sharedPos} was never reported`);

    if (truth.log) {
      const devices = new Set([...live.map((r) => r.deviceId), ...truth.log.map((c) => c.deviceId)]);
      for (const deviceId of devices) {
        const ops = live.filter((r) => r.deviceId === deviceId).map((r) => r.op);
        const changes = truth.log.filter((c) => c.deviceId === deviceId).sort((a, b) => a.seq - b.seq);
        const seqs = new Set(changes.map((c) => c.seq));
        if (seqs.size !== changes.length) problems.push(`${deviceId}: ${changes.length - seqs.size} seq(s) logged twice`);
        const matched = matchCount(ops, changes);
        if (ops.length > matched) problems.push(`${deviceId}: ${ops.length - matched} operation(s) missing from the log`);
        if (changes.length > matched) problems.push(`${deviceId}: ${changes.length - matched} logged change(s) match no operation`);
        lost += ops.length - matched;
        duplicated += changes.length - matched;
      }
      let last = -1;
      for (const c of truth.log) {
        if (c.op.type !== 'watch' || c.op.entry.videoId !== SHARED_VIDEO) continue;
        if (c.op.entry.positionSec < last) problems.push(`${truth.userId}: shared video went back on the server at v${c.version}`);
        last = c.op.entry.positionSec;
      }
    }
  }
  checks.push(check('every acknowledged or pending operation is on the server exactly once', problems.length === 0, problems.slice(0, 8).join('; ') || 'ok'));

  const pendingAtEnd = input.devices.reduce((n, d) => n + d.pending, 0);
  const stillPending = input.ops.filter((r) => r.status === 'pending').length;
  checks.push(check('nothing is left pending after recovery', pendingAtEnd === 0 && stillPending === 0, `${pendingAtEnd} in outboxes, ${stillPending} unsettled promises`));

  const truthOf = new Map(input.truths.map((t) => [t.userId, t]));
  const diverged: string[] = [];
  for (const d of input.devices) {
    const truth = truthOf.get(d.userId);
    if (!truth) continue;
    const same = JSON.stringify(canonical(d.state)) === JSON.stringify(canonical(truth.state));
    if (!same || d.epoch !== truth.epoch || d.version !== truth.version) diverged.push(`${d.deviceId} (v${d.version} vs v${truth.version}${same ? '' : ', state differs'})`);
  }
  checks.push(check('every device holds the server state', diverged.length === 0, diverged.slice(0, 6).join(', ') || 'ok'));
  // A device ahead of the server in the server's own epoch would take the server's next changes for old ones.
  const ahead = input.devices.filter((d) => {
    const truth = truthOf.get(d.userId);
    return truth !== undefined && d.epoch === truth.epoch && d.version > truth.version;
  });
  checks.push(
    check(
      'no silent divergence: no device holds a version the server does not have',
      ahead.length === 0 && diverged.length === 0,
      ahead.length === 0 ? `ok (${lostReported} acknowledged change(s) reported lost to the app)` : ahead.slice(0, 6).map((d) => `${d.deviceId} v${d.version}`).join(', '),
    ),
  );

  let backwards = 0;
  const steps: string[] = [];
  for (const [client, seen] of input.sharedVideoSeen) {
    for (let i = 1; i < seen.length; i++) {
      if ((seen[i] ?? 0) < (seen[i - 1] ?? 0)) {
        backwards += 1;
        if (backwards <= 3) steps.push(`${client} saw the shared video go from ${seen[i - 1]} to ${seen[i]}`);
      }
    }
  }
  checks.push(check('watch progress never moves backwards without a seek', backwards === 0, backwards === 0 ? 'ok' : `${backwards} backward step(s): ${steps.join('; ')}`));

  return {
    lost,
    duplicated,
    checks,
    figures: {
      acknowledged: input.ops.filter((r) => r.status === 'acked').length,
      pendingAtEnd,
      rejected: input.ops.filter((r) => r.status === 'rejected').length,
      lostToStoreWipe,
      lostReported,
      diverged: diverged.length,
      backwards,
    },
  };
}

import { describe, expect, it } from 'vitest';
import type { Change, Op } from '../../client-sdk/src/protocol/index.ts';
import { checkInvariants, type DeviceFinal, type InvariantInput, type OpRecord, type ServerTruth } from './harness/invariants.ts';
import { sharedSkuInfo, SHARED_VIDEO, type PlannedOp } from './harness/workload.ts';

const add = (sku: string, qty: number): PlannedOp => ({ kind: 'add', sku, qty, shared: true, ...sharedSkuInfo(sku) });
const report = (positionSec: number): PlannedOp => ({ kind: 'watch', videoId: SHARED_VIDEO, positionSec, durationSec: 3600, seek: false, shared: true });
const record = (deviceId: string, op: PlannedOp, status: OpRecord['status'] = 'acked', settledAt = 10): OpRecord => ({
  userId: 'u',
  deviceId,
  op,
  issuedAt: 0,
  status,
  settledAt,
  code: null,
});

function line(sku: string, qty: number): Op {
  return { type: 'cart:line', sku, line: { sku, qty, ...sharedSkuInfo(sku) } };
}

function change(version: number, deviceId: string, seq: number, op: Op): Change {
  return { epoch: 'e1', version, deviceId, seq, at: version, op };
}

/** Two devices: a adds 2 of s1, b adds 3 of s1, so the server holds 5. */
function scene(): InvariantInput {
  const ops = [record('a', add('s1', 2)), record('b', add('s1', 3))];
  const log = [change(1, 'a', 1, line('s1', 2)), change(2, 'b', 1, line('s1', 5))];
  const state = { cart: [{ sku: 's1', qty: 5, ...sharedSkuInfo('s1') }], watch: [] };
  const truth: ServerTruth = { userId: 'u', epoch: 'e1', version: 2, state, log };
  const device = (deviceId: string): DeviceFinal => ({ userId: 'u', deviceId, epoch: 'e1', version: 2, state, pending: 0 });
  return { ops, truths: [truth], devices: [device('a'), device('b')], sharedVideoSeen: new Map() };
}

describe('the shared invariant checker', () => {
  it('passes a run where every acknowledged operation is on the server once', () => {
    const report = checkInvariants(scene());
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.checks.every((c) => c.ok)).toBe(true);
  });

  it('counts an acknowledged operation missing from the log and the state as lost', () => {
    const input = scene();
    input.ops = [...input.ops, record('a', add('s1', 4))];
    const report = checkInvariants(input);
    expect(report.lost).toBeGreaterThan(0);
    expect(report.checks[0]?.ok).toBe(false);
  });

  it('counts an operation applied twice as duplicated', () => {
    const input = scene();
    const truth = input.truths[0] as ServerTruth;
    input.truths = [{ ...truth, version: 3, log: [...(truth.log ?? []), change(3, 'b', 2, line('s1', 8))], state: { cart: [{ sku: 's1', qty: 8, ...sharedSkuInfo('s1') }], watch: [] } }];
    const report = checkInvariants(input);
    expect(report.duplicated).toBeGreaterThan(0);
  });

  it('finds a device that does not hold the server state, and one with work still pending', () => {
    const input = scene();
    input.devices = [{ ...(input.devices[0] as DeviceFinal), version: 1 }, { ...(input.devices[1] as DeviceFinal), pending: 1 }];
    const report = checkInvariants(input);
    expect(report.checks.find((c) => c.name.includes('holds the server state'))?.ok).toBe(false);
    expect(report.checks.find((c) => c.name.includes('left pending'))?.ok).toBe(false);
  });

  it('finds watch progress that went backwards', () => {
    const input = scene();
    input.ops = [...input.ops, record('a', report(10)), record('a', report(20))];
    input.sharedVideoSeen = new Map([['b', [10, 20, 15]]]);
    const result = checkInvariants(input);
    expect(result.checks.find((c) => c.name.includes('backwards'))?.ok).toBe(false);
  });

  it('after a store wipe, expects what was acknowledged before it to be gone and the rest to be there', () => {
    const input = scene();
    input.storeWipedAt = 100;
    input.ops = [record('a', add('s1', 7), 'acked', 50), record('a', add('s1', 2), 'acked', 150), record('b', add('s1', 3), 'acked', 160)];
    const report = checkInvariants(input);
    expect(report.figures.lostToStoreWipe).toBe(1);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
  });
});

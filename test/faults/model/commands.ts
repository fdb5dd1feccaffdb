import fc from 'fast-check';
import { expect } from 'vitest';
import { LIMITS, MUTATION_SCHEMAS, type Mutation, type SyncPayload } from '../../../client-sdk/src/protocol/index.ts';
import { canonical, mutate, snapshotOf, syncAnswer } from '../harness/model.ts';
import { attempt, ConnectCommand, RevokeCommand, WipeCommand } from './session-commands.ts';
import { device, gateCodes, userOf, USERS, type DeviceModel, type Real, type World } from './world.ts';

type Template =
  | { t: 'add'; sku: string; qty: number; priceCents: number }
  | { t: 'set'; sku: string; qty: number }
  | { t: 'remove'; sku: string }
  | { t: 'clear' }
  | { t: 'watch'; videoId: string; posFrac: number; durationSec: number; kind: 'progress' | 'seek'; when: 'later' | 'same' | 'earlier' | 'future' }
  | { t: 'malformed'; which: 'qty-zero' | 'qty-huge' | 'bad-sku' | 'position-past-end' };

type SeqMode = { mode: 'next' } | { mode: 'resend'; pick: number } | { mode: 'skip'; by: number };

const SKUS = ['a', 'b', 'c'];
const VIDEOS = ['v1', 'v2'];

function chooseSeq(d: DeviceModel, seq: SeqMode): number {
  if (seq.mode === 'resend' && d.usedSeqs.length > 0) return d.usedSeqs[seq.pick % d.usedSeqs.length] ?? d.nextSeq;
  if (seq.mode === 'skip') return d.nextSeq + seq.by;
  return d.nextSeq;
}

function buildMutation(world: World, template: Template, seq: number): Mutation {
  switch (template.t) {
    case 'add':
      return { event: 'cart:add', request: { seq, sku: template.sku, title: `Item ${template.sku}`, priceCents: template.priceCents, qty: template.qty } };
    case 'set':
      return { event: 'cart:set', request: { seq, sku: template.sku, qty: template.qty } };
    case 'remove':
      return { event: 'cart:remove', request: { seq, sku: template.sku } };
    case 'clear':
      return { event: 'cart:clear', request: { seq } };
    case 'watch': {
      if (template.when === 'later') world.pastClock += 1 + Math.floor(template.posFrac * 1000);
      const at =
        template.when === 'future' ? Date.now() + 3_600_000 : template.when === 'earlier' ? world.pastClock - 1 - Math.floor(template.posFrac * 5000) : world.pastClock;
      const positionSec = template.posFrac * template.durationSec;
      return { event: 'watch:report', request: { seq, videoId: template.videoId, positionSec, durationSec: template.durationSec, at, kind: template.kind } };
    }
    case 'malformed': {
      // Built as a Mutation so it reaches the engine: engines are the last line of validation.
      if (template.which === 'qty-zero') return { event: 'cart:add', request: { seq, sku: 'a', title: 'x', priceCents: 1, qty: 0 } };
      if (template.which === 'qty-huge') return { event: 'cart:set', request: { seq, sku: 'a', qty: LIMITS.qtyMax + 1 } };
      if (template.which === 'bad-sku') return { event: 'cart:remove', request: { seq, sku: 'has space' } };
      return { event: 'watch:report', request: { seq, videoId: 'v1', positionSec: 20, durationSec: 10, at: world.pastClock, kind: 'seek' } };
    }
  }
}

class MutateCommand implements fc.AsyncCommand<World, Real> {
  constructor(
    readonly deviceIndex: number,
    readonly template: Template,
    readonly seq: SeqMode,
    readonly viaOldConn: boolean,
  ) {}
  check = () => true;
  async run(world: World, real: Real) {
    const d = device(world, this.deviceIndex);
    const user = userOf(world, d.userId);
    const seq = chooseSeq(d, this.seq);
    const mutation = buildMutation(world, this.template, seq);
    const connId = this.viaOldConn && d.oldConnIds.length > 0 ? (d.oldConnIds.at(-1) ?? null) : d.connId;
    const actor = { userId: d.userId, deviceId: d.deviceId, connId: connId ?? 'never-connected', issuedAt: d.issuedAt };
    const answer = await attempt(() => real.engine.mutate(actor, mutation));

    const gates = gateCodes(world, d, connId);
    const valid = MUTATION_SCHEMAS[mutation.event].safeParse(mutation.request).success;
    if (!valid || gates.length > 0) {
      // Which of several refusals wins is the engine's choice; nothing may change either way.
      const allowed = [...gates, ...(valid ? [] : ['bad_request'])];
      expect(answer.ok, `expected one of ${allowed.join('/')}`).toBe(false);
      if (!answer.ok) expect(allowed).toContain(answer.code);
      return;
    }
    const serverNow = answer.ok ? (answer.value.change?.at ?? Date.now()) : Date.now();
    const outcome = mutate(user, d.deviceId, mutation, serverNow);
    d.nextSeq = Math.max(d.nextSeq, seq + 1);
    if (!d.usedSeqs.includes(seq)) d.usedSeqs.push(seq);
    if (outcome.kind === 'refused') {
      expect(answer).toEqual({ ok: false, code: outcome.code });
      return;
    }
    expect(answer.ok, `engine refused: ${answer.ok ? '' : answer.code}`).toBe(true);
    if (!answer.ok) return;
    const result = answer.value;
    if (user.epoch === null) user.epoch = result.epoch;
    expect(result.epoch).toBe(user.epoch);
    if (outcome.kind === 'duplicate') {
      expect(result.duplicate).toBe(true);
      expect(result.change).toBeUndefined();
      expect(result.version).toBeGreaterThanOrEqual(outcome.minVersion);
      expect(result.version).toBeLessThanOrEqual(outcome.maxVersion);
      return;
    }
    expect(result.duplicate).toBe(false);
    expect(result.version).toBe(outcome.version);
    expect(result.change).toMatchObject({ epoch: user.epoch, version: outcome.version, deviceId: d.deviceId, seq, op: outcome.op });
  }
  toString = () => `mutate(${this.deviceIndex}, ${JSON.stringify(this.template)}, ${JSON.stringify(this.seq)}${this.viaOldConn ? ', old conn' : ''})`;
}

function compareSync(world: World, userId: string, since: { epoch: string; version: number } | null, payload: SyncPayload) {
  const user = userOf(world, userId);
  if (user.epoch === null) user.epoch = payload.epoch;
  if (since !== null && since.epoch === user.epoch && since.version > user.version) {
    // A cursor ahead of the server means the store went back in time: the log forks into a new epoch that
    // continues the versions, and the answer is a snapshot naming the versions this client saw and the server lacks.
    expect(payload).toMatchObject({
      kind: 'snapshot',
      version: user.version,
      reset: { reason: 'store_regressed', epoch: user.epoch, fromVersion: user.version + 1, toVersion: since.version },
    });
    expect(payload.epoch).not.toBe(user.epoch);
    if (payload.kind === 'snapshot') expect(canonical(payload.state)).toEqual(snapshotOf(user));
    user.epoch = payload.epoch;
    // The new epoch begins here: the log's older changes belong to the old one and are not served in it.
    user.log = [];
    return;
  }
  expect(payload.epoch).toBe(user.epoch);
  expect(payload.version).toBe(user.version);
  const expected = syncAnswer(user, since);
  if (expected.kind === 'snapshot') {
    expect(payload.kind).toBe('snapshot');
    if (payload.kind === 'snapshot') expect(canonical(payload.state)).toEqual(snapshotOf(user));
    return;
  }
  expect(payload.kind).toBe('changes');
  if (payload.kind !== 'changes') return;
  expect(payload.changes.map((c) => ({ version: c.version, deviceId: c.deviceId, seq: c.seq, op: c.op }))).toEqual(
    expected.changes.map((c) => ({ version: c.version, deviceId: c.deviceId, seq: c.seq, op: c.op })),
  );
  for (const c of payload.changes) expect(c.epoch).toBe(user.epoch);
}

type SinceKind = 'null' | 'current' | 'back' | 'wrong-epoch' | 'ahead';

/** `sync(since)` answers the model's changes, or its snapshot when the model says the log cannot serve it. */
class SyncCommand implements fc.AsyncCommand<World, Real> {
  constructor(
    readonly userIndex: number,
    readonly kind: SinceKind,
    readonly back: number,
  ) {}
  check = () => true;
  async run(world: World, real: Real) {
    const userId = USERS[this.userIndex % USERS.length] ?? 'alice';
    const user = userOf(world, userId);
    let since: { epoch: string; version: number } | null = null;
    if (user.epoch !== null && this.kind !== 'null') {
      const version =
        this.kind === 'back' ? Math.max(0, user.version - this.back) : this.kind === 'ahead' ? user.version + 1 + this.back : user.version;
      since = { epoch: this.kind === 'wrong-epoch' ? `${user.epoch}x` : user.epoch, version };
    }
    compareSync(world, userId, since, await real.engine.sync(userId, since));
  }
  toString = () => `sync(${this.userIndex}, ${this.kind}, ${this.back})`;
}

/** A (re)connect of a device: a new connection supersedes the old one; a revoked token is refused. */
class FillCartCommand implements fc.AsyncCommand<World, Real> {
  constructor(readonly deviceIndex: number) {}
  check = (world: Readonly<World>) => {
    const d = world.devices[this.deviceIndex % world.devices.length];
    return d !== undefined && d.connId !== null;
  };
  async run(world: World, real: Real) {
    const d = device(world, this.deviceIndex);
    if (gateCodes(world, d, d.connId).length > 0) return;
    const user = userOf(world, d.userId);
    for (let i = 0; user.cart.size <= LIMITS.cartLines && i < LIMITS.cartLines + 1; i++) {
      const sku = `fill-${d.nextSeq}`;
      await new MutateCommand(this.deviceIndex, { t: 'add', sku, qty: 1, priceCents: 5 }, { mode: 'next' }, false).run(world, real);
      if (user.cart.size === LIMITS.cartLines && !user.cart.has(`fill-${d.nextSeq}`)) {
        await new MutateCommand(this.deviceIndex, { t: 'add', sku: `fill-${d.nextSeq}`, qty: 1, priceCents: 5 }, { mode: 'next' }, false).run(world, real);
        break;
      }
    }
    expect(user.cart.size).toBeLessThanOrEqual(LIMITS.cartLines);
  }
  toString = () => `fillCart(${this.deviceIndex})`;
}

/** The store loses everything (Redis only): a new epoch, no seqs, no devices, no revocations. */
const template: fc.Arbitrary<Template> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('add' as const), sku: fc.constantFrom(...SKUS), qty: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 300, max: 999 })), priceCents: fc.integer({ min: 0, max: 10_000 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('set' as const), sku: fc.constantFrom(...SKUS), qty: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 })) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('remove' as const), sku: fc.constantFrom(...SKUS) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'clear' as const }) },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('watch' as const),
      videoId: fc.constantFrom(...VIDEOS),
      posFrac: fc.double({ min: 0, max: 1, noNaN: true }),
      durationSec: fc.constantFrom(100, 3600.5, 7),
      kind: fc.constantFrom('progress' as const, 'seek' as const),
      when: fc.constantFrom('later' as const, 'later' as const, 'same' as const, 'earlier' as const, 'future' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('malformed' as const), which: fc.constantFrom('qty-zero' as const, 'qty-huge' as const, 'bad-sku' as const, 'position-past-end' as const) }) },
);

const seqMode: fc.Arbitrary<SeqMode> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ mode: 'next' as const }) },
  { weight: 2, arbitrary: fc.record({ mode: fc.constant('resend' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ mode: fc.constant('skip' as const), by: fc.integer({ min: 1, max: 3 }) }) },
);

const deviceIndex = fc.nat({ max: 15 });

/** The command mix; `withWipe` adds store wipes (only meaningful for Redis). */
export function engineCommands(options: { withWipe: boolean; maxCommands: number }) {
  const mutateCmd = fc
    .tuple(deviceIndex, template, seqMode, fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }))
    .map(([i, t, s, old]) => new MutateCommand(i, t, s, old));
  const syncCmd = fc
    .tuple(fc.nat({ max: 3 }), fc.constantFrom<SinceKind>('null', 'current', 'back', 'back', 'wrong-epoch', 'ahead'), fc.integer({ min: 0, max: 30 }))
    .map(([u, k, b]) => new SyncCommand(u, k, b));
  const connectCmd = fc.tuple(deviceIndex, fc.boolean()).map(([i, fresh]) => new ConnectCommand(i, fresh));
  const revokeCmd = fc.tuple(deviceIndex, fc.boolean()).map(([i, all]) => new RevokeCommand(i, all));
  const fillCmd = deviceIndex.map((i) => new FillCartCommand(i));
  // fc.commands picks uniformly among its arbitraries: repetition sets the mix (mostly mutations, a few
  // reconnects, rare revocations, fills and wipes, so most runs keep writing long enough to find something).
  const mix: Array<fc.Arbitrary<fc.AsyncCommand<World, Real>>> = [
    ...Array.from({ length: 24 }, () => mutateCmd),
    ...Array.from({ length: 4 }, () => syncCmd),
    ...Array.from({ length: 3 }, () => connectCmd),
    revokeCmd,
    fillCmd,
  ];
  if (options.withWipe) mix.push(fc.constant(new WipeCommand()));
  return fc.commands(mix, { maxCommands: options.maxCommands, size: 'max' });
}

/** Connects every device once, so runs start from the state a gateway would create. */
export async function connectAll(world: World, real: Real): Promise<void> {
  for (let i = 0; i < world.devices.length; i++) await new ConnectCommand(i, false).run(world, real);
}

/** After a run, each user's whole state through `sync(null)` equals the model. */
export async function finalCheck(world: World, real: Real): Promise<void> {
  for (const userId of USERS) compareSync(world, userId, null, await real.engine.sync(userId, null));
}

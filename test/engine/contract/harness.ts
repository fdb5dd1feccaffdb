import { randomBytes } from 'node:crypto';
import { afterEach, expect } from 'vitest';
import type { DeviceKind, Mutation, MutationResult, ErrorCode } from '../../../client-sdk/src/protocol/index.ts';
import type { Actor, BatchOutcome, Engine, EngineOptions } from '../../../server/engine/engine.ts';
import { SyncError } from '../../../server/errors.ts';

/** What the contract suite needs from a backend. */
export interface ContractTarget {
  /** `count` engines over ONE shared store (for Redis: separate connections; for memory: the same engine). */
  createEngines(options: EngineOptions, count: number): Promise<Engine[]>;
  /** The store loses everything it held (Redis restarted empty, a memory node restarted); returns an engine over it. */
  loseData(engine: Engine): Promise<Engine>;
}

export const ROOMY: EngineOptions = { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 }, maxDevices: 10 };

export function uniqueUser(): string {
  return `user-${randomBytes(6).toString('hex')}`;
}

/** Creates engines for one test and closes them after it. */
export function engines(getTarget: () => ContractTarget) {
  const open: Engine[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()));
  });
  return {
    async one(options: EngineOptions = ROOMY): Promise<Engine> {
      const [engine] = await getTarget().createEngines(options, 1);
      if (!engine) throw new Error('no engine');
      open.push(engine);
      return engine;
    },
    async many(count: number, options: EngineOptions = ROOMY): Promise<Engine[]> {
      const list = await getTarget().createEngines(options, count);
      open.push(...list);
      return list;
    },
    async loseData(engine: Engine): Promise<Engine> {
      const after = await getTarget().loseData(engine);
      if (after !== engine) open.push(after);
      return after;
    },
  };
}

type Request<E extends Mutation['event']> = Omit<Extract<Mutation, { event: E }>['request'], 'seq'>;

/** A connected device of a user, numbering its mutations like the SDK does. */
export class TestDevice {
  seq = 0;
  constructor(
    readonly engine: Engine,
    readonly actor: Actor,
  ) {}

  /** Sends a mutation with the next seq. */
  send<E extends Mutation['event']>(event: E, request: Request<E>): Promise<MutationResult> {
    this.seq += 1;
    return this.sendAt(this.seq, event, request);
  }

  /** Sends a mutation with an explicit seq (resends, skips). */
  sendAt<E extends Mutation['event']>(seq: number, event: E, request: Request<E>): Promise<MutationResult> {
    return this.engine.mutate(this.actor, { event, request: { ...request, seq } } as Mutation);
  }

  /** Sends mutations as one batch, numbered with the next seqs. */
  push(mutations: ReadonlyArray<{ [E in Mutation['event']]: { event: E; request: Request<E> } }[Mutation['event']]>): Promise<BatchOutcome> {
    const numbered = mutations.map((m) => ({ event: m.event, request: { ...m.request, seq: ++this.seq } }) as Mutation);
    return this.engine.mutateBatch(this.actor, numbered);
  }

  /** Sends already numbered mutations as one batch (resends). */
  pushAt(mutations: readonly Mutation[]): Promise<BatchOutcome> {
    return this.engine.mutateBatch(this.actor, mutations);
  }

  add(sku: string, qty = 1, title = `Item ${sku}`, priceCents = 100) {
    return this.send('cart:add', { sku, qty, title, priceCents });
  }

  /** The same device talking through another engine (another node/connection). */
  via(engine: Engine): TestDevice {
    const twin = new TestDevice(engine, this.actor);
    twin.seq = this.seq;
    return twin;
  }
}

let connCounter = 0;

export async function connect(
  engine: Engine,
  userId: string,
  deviceId: string,
  options: { issuedAt?: number; kind?: DeviceKind; name?: string; nodeId?: string; retentionMs?: number } = {},
): Promise<TestDevice> {
  connCounter += 1;
  const actor: Actor = {
    userId,
    deviceId,
    connId: `conn-${connCounter}-${randomBytes(3).toString('hex')}`,
    issuedAt: options.issuedAt ?? Date.now(),
    ...(options.retentionMs !== undefined ? { retentionMs: options.retentionMs } : {}),
  };
  await engine.connectDevice(userId, {
    deviceId,
    name: options.name ?? `${deviceId} name`,
    kind: options.kind ?? 'phone',
    nodeId: options.nodeId ?? 'node-a',
    connId: actor.connId,
    issuedAt: actor.issuedAt,
    ...(options.retentionMs !== undefined ? { retentionMs: options.retentionMs } : {}),
  });
  return new TestDevice(engine, actor);
}

/** Asserts that a promise rejects with a SyncError of this code. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<SyncError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(SyncError);
  expect((err as SyncError).code).toBe(code);
  return err as SyncError;
}

/** The user's current version (via a sync that answers changes when up to date). */
export async function versionOf(engine: Engine, userId: string): Promise<number> {
  return (await engine.sync(userId, null)).version;
}

export async function snapshotOf(engine: Engine, userId: string) {
  const payload = await engine.sync(userId, null);
  if (payload.kind !== 'snapshot') throw new Error('expected a snapshot');
  return payload;
}

/**
 * Resolves once the wall clock has passed `ms`. Both engines read it (the memory engine's Date.now, Redis's
 * TIME), so a fake clock cannot move them: one timer for the remaining time instead of polling the clock.
 */
export async function clockPast(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((resolve) => setTimeout(resolve, ms - Date.now() + 1));
}

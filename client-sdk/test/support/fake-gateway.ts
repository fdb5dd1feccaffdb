/** The SDK client tests' scripted gateway: plays the server's side of the protocol one answer at a time. */
import { expect, vi } from 'vitest';
import { createSyncClient, type SyncClient, type SyncClientError, type SyncClientOptions } from '../../src/index.ts';
import { isMutationEvent, type Change, type Mutation, type SyncResult } from '../../src/protocol/index.ts';
import { fakeIo, type FakeSocket } from './fake-socket.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
export const tokenFor = (sub: string) => `${b64url({ alg: 'HS256' })}.${b64url({ sub, exp: Date.now() / 1000 + 3600 })}.sig`;

type Request = FakeSocket['requests'][number];

/** A push of one mutation, answered as the single-mutation event: an applied result or a refusal of it. */
function asSingle(request: Request & { socket: FakeSocket }): Request & { socket: FakeSocket } {
  const [mutation] = (request.payload as { mutations: Mutation[] }).mutations;
  const ack = (error: Error | null, response: unknown) => {
    const answer = response as { ok: boolean; error?: unknown } & Record<string, unknown>;
    if (error || !answer || typeof answer !== 'object') return request.ack(error, response);
    if (answer.ok === false) return request.ack(null, { ok: true, results: [], applied: 0, error: answer.error });
    const { ok, ...result } = answer;
    return request.ack(null, { ok, results: [result], applied: 1 });
  };
  return { ...request, payload: mutation?.request, ack };
}

/** Plays the gateway's side of the protocol, one answer at a time, as each test scripts it. */
export function fakeGateway() {
  const wire = fakeIo();
  const answered = new Set<Request>();
  let version = 0;
  const open = (socket: FakeSocket) => socket.connected;
  return {
    io: wire.io,
    sockets: wire.sockets,
    /**
     * Waits for the next unanswered request of `event` on a live socket. A mutation event is found as a
     * `mutations:push` of that one mutation, seen (payload and answer) as if it had been sent on its own.
     */
    async next(event: string): Promise<Request & { socket: FakeSocket }> {
      let found: (Request & { socket: FakeSocket }) | undefined;
      const matches = (r: Request) => {
        if (!isMutationEvent(event)) return r.event === event;
        const mutations = (r.payload as { mutations?: Mutation[] }).mutations;
        return r.event === 'mutations:push' && mutations?.length === 1 && mutations[0]?.event === event;
      };
      await vi.waitFor(() => {
        for (const socket of wire.sockets.filter(open)) {
          const request = socket.requests.find((r) => matches(r) && !answered.has(r));
          if (request) found = { ...request, socket };
        }
        expect(found).toBeDefined();
      });
      const request = found as Request & { socket: FakeSocket };
      answered.add(wire.sockets.flatMap((s) => s.requests).find((r) => r.ack === request.ack) as Request);
      return isMutationEvent(event) ? asSingle(request) : request;
    },
    /** Accepts the waiting connection and returns its `sync:since`, unanswered. */
    async connect() {
      await vi.waitFor(() => expect(wire.sockets.some((s) => !s.connected && s.requests.length === 0)).toBe(true));
      wire.last().accept();
      return this.next('sync:since');
    },
    /** Accepts the waiting connection and answers its sync: no new changes, unless `answer` says otherwise. */
    async accept(answer: Partial<SyncResult> = {}) {
      const sync = await this.connect();
      sync.ack(null, { ok: true, nodeId: 'node-x', serverTime: Date.now(), sync: { kind: 'changes', epoch: 'e1', version, changes: [] }, devices: [], ...answer });
      return sync;
    },
    commit(request: Request, deviceId = 'phone'): Change {
      const payload = request.payload as { seq: number; sku: string; title: string; priceCents: number; qty: number };
      version++;
      return {
        epoch: 'e1',
        version,
        deviceId,
        seq: payload.seq,
        at: Date.now(),
        op: { type: 'cart:line', sku: payload.sku, line: { sku: payload.sku, title: payload.title, priceCents: payload.priceCents, qty: payload.qty } },
      };
    },
  };
}

const made: SyncClient[] = [];
/** A client on the fake gateway; `closeClients()` (in afterEach) closes every one made. */
export function client(gateway: ReturnType<typeof fakeGateway>, options: Partial<SyncClientOptions> = {}) {
  const c = createSyncClient({
    url: 'http://gw',
    getToken: () => tokenFor('ana'),
    deviceId: 'phone',
    io: gateway.io,
    backoff: { baseMs: 20, capMs: 40 },
    ...options,
  });
  made.push(c);
  const errors: SyncClientError[] = [];
  c.onError((e) => errors.push(e));
  return { c, errors };
}

export async function closeClients(): Promise<void> {
  await Promise.all(made.splice(0).map((c) => c.close()));
}

export const tea = { sku: 'tea', title: 'Tea', priceCents: 450, qty: 1 };

/** The laptop's watch report of video `v` at 60 s, committed at server time `at`. */
export const laptopWatched = (version: number, at: number): Change => ({
  epoch: 'e1',
  version,
  deviceId: 'laptop',
  seq: version,
  at,
  op: { type: 'watch', entry: { videoId: 'v', positionSec: 60, durationSec: 100, updatedAt: at, deviceId: 'laptop', completed: false }, trimmed: [] },
});


import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSyncClient, memoryStorage, type SyncClient, type SyncClientError, type SyncClientOptions } from '../../src/index.ts';
import { isMutationEvent, type Change, type Mutation, type SyncResult } from '../../src/protocol/index.ts';
import { fakeIo, type FakeSocket } from '../support/fake-socket.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const tokenFor = (sub: string) => `${b64url({ alg: 'HS256' })}.${b64url({ sub, exp: Date.now() / 1000 + 3600 })}.sig`;

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
function fakeGateway() {
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
function client(gateway: ReturnType<typeof fakeGateway>, options: Partial<SyncClientOptions> = {}) {
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

afterEach(async () => {
  await Promise.all(made.splice(0).map((c) => c.close()));
});

const tea = { sku: 'tea', title: 'Tea', priceCents: 450, qty: 1 };

/** The laptop's watch report of video `v` at 60 s, committed at server time `at`. */
const laptopWatched = (version: number, at: number): Change => ({
  epoch: 'e1',
  version,
  deviceId: 'laptop',
  seq: version,
  at,
  op: { type: 'watch', entry: { videoId: 'v', positionSec: 60, durationSec: 100, updatedAt: at, deviceId: 'laptop', completed: false }, trimmed: [] },
});

describe('client against a scripted gateway', () => {
  it('keeps a rate-limited mutation and resends it with the same seq until it is accepted', async () => {
    const gw = fakeGateway();
    const { c, errors } = client(gw);
    await gw.accept();
    const added = c.cart.add(tea);
    const first = await gw.next('cart:add');
    first.ack(null, { ok: false, error: { code: 'rate_limited', message: 'slow down' } });
    const second = await gw.next('cart:add');
    expect(second.payload).toEqual(first.payload);
    expect(c.pendingCount).toBe(1);
    expect(c.cart.get().items).toEqual([tea]);
    const change = gw.commit(second);
    second.ack(null, { ok: true, epoch: 'e1', version: change.version, duplicate: false, change });
    await expect(added).resolves.toEqual({ version: 1, seq: expect.any(Number), duplicate: false });
    expect(c.pendingCount).toBe(0);
    expect(errors.map((e) => [e.code, e.retryable])).toEqual([['rate_limited', true]]);
  });

  it('reconnects after `conflict` and resends there', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    await gw.accept();
    const added = c.cart.add(tea);
    const first = await gw.next('cart:add');
    first.ack(null, { ok: false, error: { code: 'conflict', message: 'superseded' } });
    await gw.accept();
    const again = await gw.next('cart:add');
    expect(again.socket).not.toBe(first.socket);
    expect(again.payload).toEqual(first.payload);
    const change = gw.commit(again);
    again.ack(null, { ok: true, epoch: 'e1', version: change.version, duplicate: false, change });
    await expect(added).resolves.toMatchObject({ version: 1 });
  });

  it('settles a mutation whose answer was lost from the catch-up sync, and takes the duplicate answer in stride', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    await gw.accept();
    const added = c.cart.add(tea);
    const sent = await gw.next('cart:add');
    const change = gw.commit(sent);
    sent.socket.drop();
    await vi.waitFor(() => expect(gw.sockets.length).toBe(2));
    gw.sockets[1]?.accept();
    const sync = await gw.next('sync:since');
    expect(sync.payload).toEqual({ since: { epoch: 'e1', version: 0 } });
    sync.ack(null, { ok: true, nodeId: 'node-y', serverTime: Date.now(), sync: { kind: 'changes', epoch: 'e1', version: 1, changes: [change] }, devices: [] });
    await expect(added).resolves.toEqual({ version: 1, seq: expect.any(Number), duplicate: false });
    expect(c.pendingCount).toBe(0);
    expect(c.cart.get()).toMatchObject({ items: [tea], version: 1 });
  });

  it('asks for what it lacks when a duplicate answer says the server is ahead', async () => {
    const gw = fakeGateway();
    const { c } = client(gw, { gapTimeoutMs: 10 });
    await gw.accept();
    const added = c.cart.add(tea);
    const sent = await gw.next('cart:add');
    const change = gw.commit(sent);
    sent.ack(null, { ok: true, epoch: 'e1', version: 1, duplicate: true });
    await expect(added).resolves.toEqual({ version: 1, seq: expect.any(Number), duplicate: true });
    expect(c.cart.get().items).toEqual([tea]);
    const sync = await gw.next('sync:since');
    sync.ack(null, { ok: true, nodeId: 'node-x', serverTime: Date.now(), sync: { kind: 'changes', epoch: 'e1', version: 1, changes: [change] }, devices: [] });
    await vi.waitFor(() => expect(c.version).toBe(1));
    expect(c.cart.get().items).toEqual([tea]);
  });

  it('reports and ignores pushes and answers that do not match the protocol', async () => {
    const gw = fakeGateway();
    const { c, errors } = client(gw);
    await gw.accept();
    gw.sockets[0]?.fire('change', { epoch: 'e1', version: 1, op: { type: 'cart:explode' } });
    expect(c.version).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['internal']);
    const added = c.cart.add(tea);
    (await gw.next('cart:add')).ack(null, { ok: true, version: 'one' });
    // A nonsense answer says nothing about the mutation: it is kept and resent on a new connection.
    await gw.accept();
    const again = await gw.next('cart:add');
    const change = gw.commit(again);
    again.ack(null, { ok: true, epoch: 'e1', version: 1, duplicate: false, change });
    await expect(added).resolves.toMatchObject({ version: 1 });
  });

  it("refuses at once, with the server's code, a change the rules refuse on the cart it shows, and sends nothing", async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    const tea = { sku: 'tea', title: 'Tea', priceCents: 1 };
    await gw.accept({ sync: { kind: 'snapshot', epoch: 'e1', version: 1, state: { cart: [{ ...tea, qty: 998 }], watch: [] } } });
    await vi.waitFor(() => expect(c.cart.get().items).toHaveLength(1));
    await expect(c.cart.add({ ...tea, qty: 2 })).rejects.toMatchObject({ code: 'bad_request', message: 'qty would exceed 999' });
    await expect(c.cart.setQuantity('coffee', 1)).rejects.toMatchObject({ code: 'not_found' });
    expect(c.pendingCount).toBe(0);
    expect(c.cart.get().items).toEqual([{ ...tea, qty: 998 }]);
    const added = c.cart.add({ ...tea, qty: 1 });
    const request = await gw.next('cart:add');
    expect(request.payload).toMatchObject({ sku: 'tea', qty: 1 });
    expect(gw.sockets.flatMap((s) => s.requests).filter((r) => r.event === 'mutations:push')).toHaveLength(1);
    request.ack(null, { ok: true, epoch: 'e1', version: 2, duplicate: false, change: gw.commit(request) });
    await expect(added).resolves.toMatchObject({ version: 2 });
  });

  it('reports a restored mutation the server refuses, since no promise waits for it', async () => {
    const storage = memoryStorage();
    const gw1 = fakeGateway();
    const offline = client(gw1, { storage, connect: false });
    const lost = offline.c.cart.setQuantity('gone', 2);
    await vi.waitFor(() => expect(offline.c.pendingCount).toBe(1));
    await offline.c.close();
    await expect(lost).rejects.toMatchObject({ code: 'closed' });

    const gw2 = fakeGateway();
    const { c, errors } = client(gw2, { storage });
    await gw2.accept();
    const resent = await gw2.next('cart:set');
    expect(resent.payload).toMatchObject({ sku: 'gone', qty: 2 });
    resent.ack(null, { ok: false, error: { code: 'not_found', message: 'no line' } });
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(['not_found']));
    expect(errors[0]?.mutation).toMatchObject({ event: 'cart:set', request: { sku: 'gone' } });
    expect(c.pendingCount).toBe(0);
  });

  it('drops stored changes of another user before connecting', async () => {
    const storage = memoryStorage();
    const gw1 = fakeGateway();
    const ana = client(gw1, { storage });
    await gw1.accept();
    ana.c.goOffline();
    void ana.c.cart.add(tea).catch(() => {});
    await vi.waitFor(() => expect(ana.c.pendingCount).toBe(1));
    await ana.c.close();

    const gw2 = fakeGateway();
    const bob = client(gw2, { storage, getToken: () => tokenFor('bob') });
    await gw2.accept();
    expect(bob.c.pendingCount).toBe(0);
    expect(bob.c.cart.get().items).toEqual([]);
    expect(gw2.sockets[0]?.requests.some((r) => r.event === 'mutations:push')).toBe(false);
  });

  it('keeps a device list pushed while its sync was out over the older list in the answer', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    const sync = await gw.connect();
    const device = (deviceId: string, at: number) => ({ deviceId, name: '', kind: 'other', connectedAt: at, lastSeen: at, online: true, nodeId: 'n' });
    gw.sockets[0]?.fire('devices', { devices: [device('phone', 1), device('laptop', 2)] });
    sync.ack(null, { ok: true, nodeId: 'n', serverTime: Date.now(), sync: { kind: 'changes', epoch: 'e1', version: 0, changes: [] }, devices: [device('phone', 1)] });
    await c.ready;
    expect(c.devices.list().map((d) => d.deviceId)).toEqual(['phone', 'laptop']);
  });

  it('corrects watch report times by the estimated clock offset', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    await gw.accept({ serverTime: Date.now() + 60_000 });
    await c.ready;
    expect(c.clockOffsetMs).toBeGreaterThan(59_000);
    void c.watch.report('v', 10, 100, { event: 'pause' });
    const report = await gw.next('watch:report');
    expect((report.payload as { at: number }).at - Date.now()).toBeGreaterThan(59_000);
  });

  it('stamps a report made after seeing a change after that change, even when the clock estimate lags', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    // As if the answer sat 10 s in a busy page before it was read: the estimate says the server is 5 s behind.
    await gw.accept({ serverTime: Date.now() - 5_000 });
    await c.ready;
    expect(c.clockOffsetMs).toBeLessThan(-4_000);
    const seenAt = Date.now();
    gw.sockets[0]?.fire('change', laptopWatched(1, seenAt));
    await vi.waitFor(() => expect(c.watch.get('v')?.positionSec).toBe(60));
    void c.watch.report('v', 25, 100, { event: 'seek' });
    const report = await gw.next('watch:report');
    expect((report.payload as { at: number }).at).toBeGreaterThan(seenAt);
  });

  it('reports a snapshot at its own version, then each change buffered meanwhile once, in order', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    const events: string[] = [];
    c.onChange((e) => events.push(e.type === 'snapshot' ? `snapshot v${e.version}` : `change v${e.change.version}`));
    const sync = await gw.connect();
    // A push that overtakes the sync answer is kept until the answer says which epoch it is in.
    const line = { sku: 'tea', title: 'Tea', priceCents: 450, qty: 2 };
    gw.sockets[0]?.fire('change', { epoch: 'e1', version: 3, deviceId: 'laptop', seq: 7, at: Date.now(), op: { type: 'cart:line', sku: 'tea', line } });
    sync.ack(null, { ok: true, nodeId: 'n', serverTime: Date.now(), sync: { kind: 'snapshot', epoch: 'e1', version: 2, state: { cart: [], watch: [] } }, devices: [] });
    await c.ready;
    await vi.waitFor(() => expect(c.cart.get().version).toBe(3));
    expect(events).toEqual(['snapshot v2', 'change v3']);
  });

  it('takes the same bound from the changes in a sync answer', async () => {
    const gw = fakeGateway();
    const { c } = client(gw);
    const seenAt = Date.now();
    await gw.accept({ serverTime: seenAt - 5_000, sync: { kind: 'changes', epoch: 'e1', version: 1, changes: [laptopWatched(1, seenAt)] } });
    await c.ready;
    void c.watch.report('v', 25, 100, { event: 'seek' });
    const report = await gw.next('watch:report');
    expect((report.payload as { at: number }).at).toBeGreaterThan(seenAt);
  });
});

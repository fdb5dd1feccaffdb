import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSyncClient, type SyncClient, type SyncClientError } from '../../src/index.ts';
import { LIMITS, type Change, type Mutation, type MutationResult } from '../../src/protocol/index.ts';
import { fakeIo, type FakeSocket } from '../support/fake-socket.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = `${b64url({ alg: 'HS256' })}.${b64url({ sub: 'ana', exp: Date.now() / 1000 + 3600 })}.sig`;

type Request = FakeSocket['requests'][number];

/** A gateway that answers the sync, and lets each test answer the pushes it sees, in order. */
function pushGateway() {
  const wire = fakeIo();
  const seen = new Set<Request>();
  let version = 0;
  const pushes = () => wire.sockets.flatMap((s) => s.requests).filter((r) => r.event === 'mutations:push');
  return {
    io: wire.io,
    pushes,
    async online() {
      await vi.waitFor(() => expect(wire.sockets.some((s) => !s.connected)).toBe(true));
      const socket = wire.last();
      socket.accept();
      await vi.waitFor(() => expect(socket.requests.some((r) => r.event === 'sync:since')).toBe(true));
      const sync = socket.requests.find((r) => r.event === 'sync:since') as Request;
      sync.ack(null, { ok: true, nodeId: 'n', serverTime: Date.now(), sync: { kind: 'changes', epoch: 'e1', version, changes: [] }, devices: [] });
    },
    /** The next push not yet looked at, and its mutations. */
    async next(): Promise<{ request: Request; mutations: Mutation[] }> {
      let found: Request | undefined;
      await vi.waitFor(() => {
        found = pushes().find((r) => !seen.has(r));
        expect(found).toBeDefined();
      });
      const request = found as Request;
      seen.add(request);
      return { request, mutations: (request.payload as { mutations: Mutation[] }).mutations };
    },
    /** Commits the first `count` mutations (cart adds) as the server would. */
    results(mutations: readonly Mutation[], count = mutations.length): MutationResult[] {
      return mutations.slice(0, count).map(({ request }) => {
        const r = request as { seq: number; sku: string; title: string; priceCents: number; qty: number };
        version += 1;
        const change: Change = { epoch: 'e1', version, deviceId: 'phone', seq: r.seq, at: Date.now(), op: { type: 'cart:line', sku: r.sku, line: { sku: r.sku, title: r.title, priceCents: r.priceCents, qty: r.qty } } };
        return { epoch: 'e1', version, duplicate: false, change };
      });
    },
  };
}

const made: SyncClient[] = [];
function phone(gateway: ReturnType<typeof pushGateway>, connect = true) {
  const client = createSyncClient({ url: 'http://gw', getToken: () => token, deviceId: 'phone', io: gateway.io, connect, backoff: { baseMs: 20, capMs: 40 } });
  made.push(client);
  const errors: SyncClientError[] = [];
  client.onError((e) => errors.push(e));
  return { client, errors };
}
afterEach(async () => {
  await Promise.all(made.splice(0).map((c) => c.close()));
});

const item = (sku: string, title = sku) => ({ sku, title, priceCents: 100, qty: 1 });
const seqs = (mutations: readonly Mutation[]) => mutations.map((m) => m.request.seq);

describe('pushing the outbox', () => {
  it('sends the edits made while a push is out together in the next push, in seq order', async () => {
    const gw = pushGateway();
    const { client } = phone(gw);
    await gw.online();
    const acks = [client.cart.add(item('a'))];
    const first = await gw.next();
    expect(first.mutations).toHaveLength(1);
    for (const sku of ['b', 'c', 'd', 'e']) acks.push(client.cart.add(item(sku)));
    await vi.waitFor(() => expect(client.pendingCount).toBe(5));
    first.request.ack(null, { ok: true, results: gw.results(first.mutations), applied: 1 });
    const second = await gw.next();
    expect(second.mutations.map((m) => m.event === 'cart:add' && m.request.sku)).toEqual(['b', 'c', 'd', 'e']);
    expect(seqs(second.mutations)).toEqual([...seqs(second.mutations)].sort((x, y) => x - y));
    second.request.ack(null, { ok: true, results: gw.results(second.mutations), applied: 4 });
    await expect(Promise.all(acks)).resolves.toHaveLength(5);
    expect(gw.pushes()).toHaveLength(2);
    expect(client.pendingCount).toBe(0);
    expect(client.cart.get().items.map((l) => l.sku)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('drains edits made offline in pushes of at most LIMITS.pushMutations', async () => {
    const gw = pushGateway();
    const { client } = phone(gw, false);
    const count = LIMITS.pushMutations + 50;
    const acks = Array.from({ length: count }, (_, i) => client.cart.add(item(`s${i % 150}`)));
    client.goOnline();
    await gw.online();
    const first = await gw.next();
    expect(first.mutations).toHaveLength(LIMITS.pushMutations);
    first.request.ack(null, { ok: true, results: gw.results(first.mutations), applied: LIMITS.pushMutations });
    const second = await gw.next();
    expect(second.mutations).toHaveLength(50);
    expect(seqs(second.mutations)[0]).toBe((seqs(first.mutations).at(-1) ?? 0) + 1);
    second.request.ack(null, { ok: true, results: gw.results(second.mutations), applied: 50 });
    await expect(Promise.all(acks)).resolves.toHaveLength(count);
  });

  it('keeps a push within LIMITS.pushBytes', async () => {
    const gw = pushGateway();
    const { client } = phone(gw, false);
    // 200 three-byte characters: about 700 bytes per mutation, so 100 of them would not fit.
    for (let i = 0; i < 100; i++) client.cart.add(item(`s${i}`, '€'.repeat(LIMITS.titleLength))).catch(() => {});
    client.goOnline();
    await gw.online();
    const { mutations } = await gw.next();
    expect(mutations.length).toBeGreaterThan(50);
    expect(mutations.length).toBeLessThan(100);
    expect(Buffer.byteLength(JSON.stringify(mutations))).toBeLessThanOrEqual(LIMITS.pushBytes);
  });

  it('resends from a retryably refused mutation with the same seqs once the applied part is acknowledged', async () => {
    const gw = pushGateway();
    const { client, errors } = phone(gw, false);
    const acks = ['a', 'b', 'c'].map((sku) => client.cart.add(item(sku)));
    client.goOnline();
    await gw.online();
    const first = await gw.next();
    first.request.ack(null, { ok: true, results: gw.results(first.mutations, 1), applied: 1, error: { code: 'rate_limited', message: 'slow down' } });
    await expect(acks[0]).resolves.toMatchObject({ version: 1 });
    const second = await gw.next();
    expect(second.mutations).toEqual(first.mutations.slice(1));
    second.request.ack(null, { ok: true, results: gw.results(second.mutations), applied: 2 });
    await expect(Promise.all(acks)).resolves.toHaveLength(3);
    expect(errors.map((e) => e.code)).toEqual(['rate_limited']);
  });

  it('rolls back a mutation the server refuses and sends the ones after it in the next push', async () => {
    const gw = pushGateway();
    const { client, errors } = phone(gw, false);
    const added = client.cart.add(item('a'));
    const refused = client.cart.setQuantity('missing', 3);
    const later = client.cart.add(item('c'));
    client.goOnline();
    await gw.online();
    const first = await gw.next();
    expect(first.mutations.map((m) => m.event)).toEqual(['cart:add', 'cart:set', 'cart:add']);
    first.request.ack(null, { ok: true, results: gw.results(first.mutations, 1), applied: 1, error: { code: 'not_found', message: 'no line' } });
    await expect(refused).rejects.toMatchObject({ code: 'not_found' });
    const second = await gw.next();
    expect(second.mutations).toEqual(first.mutations.slice(2));
    second.request.ack(null, { ok: true, results: gw.results(second.mutations), applied: 1 });
    await expect(Promise.all([added, later])).resolves.toHaveLength(2);
    expect(errors.map((e) => e.code)).toEqual(['not_found']);
    expect(client.cart.get().items.map((l) => l.sku)).toEqual(['a', 'c']);
  });
});

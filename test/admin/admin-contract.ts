import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../client-sdk/src/protocol/index.ts';
import { mintToken } from '../support/gateway-process.ts';
import { connect, disconnected, nextPush, ok, type ClientSocket } from '../gateway/helpers.ts';
import { api, READ_SECRET, startAdminNode, type AdminNode } from './admin-node.ts';

/** Where the suite runs: the store's variables, and how to list a user's keys in it (null: no store to scan). */
export interface AdminContractTarget {
  env(): Record<string, string>;
  keysOf: ((userId: string) => Promise<string[]>) | null;
}

const user = () => `u-${randomBytes(5).toString('hex')}`;
type Write = { userId: string; epoch: string; version: number; fromVersion: number };
type State = { epoch: string; version: number; cart: Array<{ sku: string; qty: number; priceCents: number }>; watch: Array<{ videoId: string; positionSec: number; completed: boolean }>; devices: Array<{ deviceId: string }> };
const line = (sku: string, qty = 1) => ({ sku, title: `Item ${sku}`, priceCents: 250, qty });

/** The backend API's contract, the same on every store. */
export function adminContract(name: string, target: () => AdminContractTarget): void {
  describe(`backend API contract (${name})`, () => {
    let node: AdminNode;
    const sockets: ClientSocket[] = [];
    beforeAll(async () => {
      node = await startAdminNode(target().env());
    });
    afterAll(() => node?.close());
    afterEach(() => {
      for (const s of sockets.splice(0)) s.close();
    });
    const call = <T = Record<string, unknown>>(method: string, path: string, options: Parameters<typeof api>[3] = {}) =>
      api<T>(node.adminUrl, method, path, options);
    const device = async (userId: string, deviceId: string) => {
      const socket = await connect(node.url, { token: await mintToken({ userId }), deviceId });
      sockets.push(socket);
      await ok(socket, 'sync:since', { since: null });
      return socket;
    };

    it('answers 404 for a user with nothing stored', async () => {
      const res = await call('GET', `/v1/users/${user()}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404, code: 'not_found', title: 'Not Found' });
    });

    it('adds a line, reads it back with the same ETag, and never lists the backend as a device', async () => {
      const id = user();
      const added = await call<Write>('POST', `/v1/users/${id}/cart/lines`, { body: line('tea', 2) });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({ userId: id, version: 1, fromVersion: 0 });
      const etag = `"${added.body.epoch}:1"`;
      expect(added.headers.get('etag')).toBe(etag);
      const read = await call<State>('GET', `/v1/users/${id}`, { secret: READ_SECRET });
      expect(read.status).toBe(200);
      expect(read.headers.get('etag')).toBe(etag);
      expect(read.body).toMatchObject({ userId: id, version: 1, cart: [{ sku: 'tea', qty: 2, priceCents: 250 }], watch: [], devices: [] });
    });

    it('answers a repeat with the first result and applies it once; the same key for another request is 422', async () => {
      const id = user();
      const key = randomUUID();
      const first = await call<Write>('POST', `/v1/users/${id}/cart/lines`, { body: line('a'), idempotencyKey: key });
      const again = await call<Write>('POST', `/v1/users/${id}/cart/lines`, { body: line('a'), idempotencyKey: key });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect((await call<State>('GET', `/v1/users/${id}`)).body).toMatchObject({ version: 1, cart: [{ sku: 'a', qty: 1 }] });
      const other = await call('POST', `/v1/users/${id}/cart/lines`, { body: line('a', 5), idempotencyKey: key });
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ code: 'idempotency_key_reused' });
      const noKey = await call('POST', `/v1/users/${id}/cart/lines`, { body: line('a'), idempotencyKey: null });
      expect(noKey.status).toBe(400);
    });

    it('answers If-Match of an older version with 412 and the current tag, and applies a current one', async () => {
      const id = user();
      const first = await call<Write>('POST', `/v1/users/${id}/cart/lines`, { body: line('a') });
      await call('POST', `/v1/users/${id}/cart/lines`, { body: line('b') });
      const stale = await call('DELETE', `/v1/users/${id}/cart`, { ifMatch: `"${first.body.epoch}:1"` });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ code: 'precondition_failed', epoch: first.body.epoch, version: 2 });
      const current = await call<Write>('DELETE', `/v1/users/${id}/cart`, { ifMatch: `"${first.body.epoch}:2"` });
      expect(current.status).toBe(200);
      expect((await call<State>('GET', `/v1/users/${id}`)).body).toMatchObject({ version: 3, cart: [] });
    });

    it('sets quantities (0 removes), answers 404 for a missing line, and deletes lines', async () => {
      const id = user();
      await call('POST', `/v1/users/${id}/cart/lines`, { body: line('a') });
      await call('POST', `/v1/users/${id}/cart/lines`, { body: line('b') });
      expect((await call('PUT', `/v1/users/${id}/cart/lines/a`, { body: { qty: 7 } })).status).toBe(200);
      expect((await call('PUT', `/v1/users/${id}/cart/lines/b`, { body: { qty: 0 } })).status).toBe(200);
      const missing = await call('PUT', `/v1/users/${id}/cart/lines/zzz`, { body: { qty: 1 } });
      expect(missing).toMatchObject({ status: 404, body: { code: 'not_found' } });
      expect((await call<State>('GET', `/v1/users/${id}`)).body).toMatchObject({ version: 4, cart: [{ sku: 'a', qty: 7 }] });
      expect((await call('DELETE', `/v1/users/${id}/cart/lines/a`)).status).toBe(200);
      expect((await call<State>('GET', `/v1/users/${id}`)).body.cart).toEqual([]);
    });

    it('applies a PATCH in order, atomically: a failing op leaves everything as it was', async () => {
      const id = user();
      await call('POST', `/v1/users/${id}/cart/lines`, { body: line('keep', 3) });
      const failing = await call('PATCH', `/v1/users/${id}/cart`, {
        body: { ops: [{ op: 'add', ...line('x') }, { op: 'set', sku: 'keep', qty: 9 }, { op: 'set', sku: 'nope', qty: 1 }] },
      });
      expect(failing).toMatchObject({ status: 404, body: { code: 'not_found' } });
      expect((await call<State>('GET', `/v1/users/${id}`)).body).toMatchObject({ version: 1, cart: [{ sku: 'keep', qty: 3 }] });
      const tooMany = await call('PATCH', `/v1/users/${id}/cart`, { body: { ops: [{ op: 'add', ...line('keep', 500) }, { op: 'add', ...line('keep', 500) }] } });
      expect(tooMany).toMatchObject({ status: 400, body: { code: 'bad_request' } });
      const applied = await call<Write>('PATCH', `/v1/users/${id}/cart`, {
        body: { ops: [{ op: 'clear' }, { op: 'add', ...line('x', 2) }, { op: 'set', sku: 'x', qty: 5 }, { op: 'remove', sku: 'gone' }] },
      });
      expect(applied.body).toMatchObject({ fromVersion: 1, version: 5 });
      expect((await call<State>('GET', `/v1/users/${id}`)).body.cart).toEqual([expect.objectContaining({ sku: 'x', qty: 5 })]);
      const changes = await call<{ changes: Change[] }>('GET', `/v1/users/${id}/changes?since=1`);
      expect(changes.body.changes.map((c) => [c.version, c.op.type, c.deviceId])).toEqual([
        [2, 'cart:clear', 'backend-orders'],
        [3, 'cart:line', 'backend-orders'],
        [4, 'cart:line', 'backend-orders'],
        [5, 'noop', 'backend-orders'],
      ]);
      // The backend writer numbers its changes like a device: refused calls take no seq.
      expect(changes.body.changes.map((c) => c.seq)).toEqual([2, 3, 4, 5]);
    });

    it('keeps one currency per cart across a PATCH, and stores line attributes', async () => {
      const id = user();
      await call('POST', `/v1/users/${id}/cart/lines`, { body: { ...line('a'), currency: 'EUR', attributes: { size: 'M' } } });
      const other = await call('POST', `/v1/users/${id}/cart/lines`, { body: { ...line('b'), currency: 'USD' } });
      expect(other).toMatchObject({ status: 409, body: { code: 'currency_mismatch' } });
      const mixed = await call('PATCH', `/v1/users/${id}/cart`, { body: { ops: [{ op: 'add', ...line('c'), currency: 'EUR' }, { op: 'add', ...line('d'), currency: 'USD' }] } });
      expect(mixed).toMatchObject({ status: 409, body: { code: 'currency_mismatch' } });
      // Emptied first, the cart may take another currency in the same step.
      const switched = await call('PATCH', `/v1/users/${id}/cart`, { body: { ops: [{ op: 'remove', sku: 'a' }, { op: 'add', ...line('d'), currency: 'USD' }, { op: 'add', ...line('e'), currency: 'USD' }] } });
      expect(switched.status).toBe(200);
      const state = await call<{ cart: Array<{ sku: string; currency?: string }> }>('GET', `/v1/users/${id}`);
      expect(state.body.cart.map((l) => [l.sku, l.currency])).toEqual([['d', 'USD'], ['e', 'USD']]);
      await call('PATCH', `/v1/users/${id}/cart`, { body: { ops: [{ op: 'clear' }, { op: 'add', ...line('f'), currency: 'JPY', attributes: { colour: 'navy', size: 'L' } }] } });
      const after = await call<{ cart: Array<{ sku: string; currency?: string; attributes?: Record<string, string> }> }>('GET', `/v1/users/${id}`);
      expect(after.body.cart).toEqual([{ sku: 'f', title: 'Item f', priceCents: 250, qty: 1, currency: 'JPY', attributes: { colour: 'navy', size: 'L' } }]);
    });

    it('pages the change log, and answers 410 with the current tag for another epoch', async () => {
      const id = user();
      for (const sku of ['a', 'b', 'c', 'd', 'e']) await call('POST', `/v1/users/${id}/cart/lines`, { body: line(sku) });
      const first = await call<{ epoch: string; changes: Change[]; nextSince: number; hasMore: boolean }>('GET', `/v1/users/${id}/changes?since=0&limit=2`);
      expect(first.body).toMatchObject({ nextSince: 2, hasMore: true, version: 5 });
      expect(first.body.changes.map((c) => c.version)).toEqual([1, 2]);
      const last = await call<{ changes: Change[]; hasMore: boolean }>('GET', `/v1/users/${id}/changes?epoch=${first.body.epoch}&since=4&limit=2`);
      expect(last.body.changes.map((c) => c.version)).toEqual([5]);
      expect(last.body.hasMore).toBe(false);
      const gone = await call('GET', `/v1/users/${id}/changes?epoch=another-epoch&since=1`);
      expect(gone).toMatchObject({ status: 410, body: { code: 'history_gone', epoch: first.body.epoch, version: 5 } });
      expect((await call('GET', `/v1/users/${id}/changes?since=9`)).status).toBe(410);
    });

    it('sets and completes watch progress, and removes it from continue watching', async () => {
      const id = user();
      expect((await call('PUT', `/v1/users/${id}/watch/ep1`, { body: { completed: true } })).status).toBe(400);
      await call('PUT', `/v1/users/${id}/watch/ep1`, { body: { positionSec: 120.5, durationSec: 1800 } });
      expect((await call<State>('GET', `/v1/users/${id}`)).body.watch).toEqual([expect.objectContaining({ videoId: 'ep1', positionSec: 120.5, completed: false })]);
      await call('PUT', `/v1/users/${id}/watch/ep1`, { body: { completed: true } });
      expect((await call<State>('GET', `/v1/users/${id}`)).body.watch).toEqual([expect.objectContaining({ videoId: 'ep1', positionSec: 0, completed: true })]);
      const removed = await call<Write>('DELETE', `/v1/users/${id}/watch/ep1`);
      expect((await call<State>('GET', `/v1/users/${id}`)).body.watch).toEqual([]);
      const changes = await call<{ changes: Change[] }>('GET', `/v1/users/${id}/changes?since=${removed.body.fromVersion}`);
      expect(changes.body.changes.map((c) => c.op)).toEqual([{ type: 'watch:remove', videoId: 'ep1' }]);
    });

    it('pushes a backend change live to the user\'s devices, marked as the backend\'s', async () => {
      const id = user();
      const phone = await device(id, 'phone');
      const pushed = nextPush(phone, 'change');
      await call('POST', `/v1/users/${id}/cart/lines`, { body: line('live') });
      expect(await pushed).toMatchObject({ version: 1, deviceId: 'backend-orders', op: { type: 'cart:line', sku: 'live' } });
      const devices = await call<{ devices: Array<{ deviceId: string }> }>('GET', `/v1/users/${id}/devices`, { secret: READ_SECRET });
      expect(devices.body.devices.map((d) => d.deviceId)).toEqual(['phone']);
    });

    it('signs one device out and off the list, then every device', async () => {
      const id = user();
      const phone = await device(id, 'phone');
      const laptop = await device(id, 'laptop');
      const phoneEnding = nextPush(phone, 'session:ending');
      expect((await call('DELETE', `/v1/users/${id}/devices/phone`)).status).toBe(200);
      expect(await phoneEnding).toMatchObject({ reason: 'revoked' });
      const listed = await call<{ devices: Array<{ deviceId: string }> }>('GET', `/v1/users/${id}/devices`);
      expect(listed.body.devices.map((d) => d.deviceId)).toEqual(['laptop']);
      expect((await call('DELETE', `/v1/users/${id}/devices/phone`)).status).toBe(404);
      const laptopGone = disconnected(laptop);
      expect((await call('POST', `/v1/users/${id}/sign-out`)).status).toBe(200);
      expect(await laptopGone).toBe('io server disconnect');
    });

    it('exports everything and erases every key, closing the sockets with reason erased', async () => {
      const id = user();
      const phone = await device(id, 'phone');
      await call('POST', `/v1/users/${id}/cart/lines`, { body: line('a') });
      await call('PUT', `/v1/users/${id}/watch/v1`, { body: { positionSec: 10, durationSec: 100 } });
      const exported = await call<{ log: Change[]; cart: unknown[]; devices: unknown[] }>('GET', `/v1/users/${id}/export`);
      expect(exported.status).toBe(200);
      expect(exported.body.log).toHaveLength(2);
      expect(exported.body.cart).toHaveLength(1);
      expect(exported.body.devices).toHaveLength(1);
      const ending = nextPush(phone, 'session:ending');
      const erased = await call('DELETE', `/v1/users/${id}`);
      expect(erased).toMatchObject({ status: 200, body: { userId: id, erased: true } });
      expect(await ending).toMatchObject({ reason: 'erased' });
      expect((await call('GET', `/v1/users/${id}`)).status).toBe(404);
      const keysOf = target().keysOf;
      if (keysOf) await expect.poll(() => keysOf(id), { timeout: 5000 }).toEqual([]);
      expect((await call('DELETE', `/v1/users/${id}`)).body).toMatchObject({ erased: false });
    });
  });
}

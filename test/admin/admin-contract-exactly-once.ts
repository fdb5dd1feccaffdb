import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../support/gateway-process.ts';
import { connect, ok, type ClientSocket } from '../gateway/helpers.ts';
import { api, startAdminNode, type AdminNode } from './admin-node.ts';
import type { AdminContractTarget } from './admin-contract.ts';

const user = () => `u-${randomBytes(5).toString('hex')}`;
const line = (sku: string, qty = 1) => ({ sku, title: `Item ${sku}`, priceCents: 250, qty });
type Tagged = { epoch: string; version: number };
const tagOf = (t: Tagged) => `"${t.epoch}:${t.version}"`;

/** Idempotency-Key and If-Match on the routes that are not one backend write (checkout, merge, device ops). */
export function adminExactlyOnceContract(name: string, target: () => AdminContractTarget): void {
  describe(`backend API exactly once and If-Match (${name})`, () => {
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

    it('replays a checkout for its Idempotency-Key, answers 422 for the key with another body or on another route', async () => {
      const id = user();
      await call('POST', `/v1/users/${id}/cart/lines`, { body: line('tea') });
      const key = randomUUID();
      const first = await call<Tagged & { checkoutId: string }>('POST', `/v1/users/${id}/cart/checkout`, { idempotencyKey: key, body: { ttlMs: 60_000 } });
      expect(first.status).toBe(201);
      const again = await call('POST', `/v1/users/${id}/cart/checkout`, { idempotencyKey: key, body: { ttlMs: 60_000 } });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('etag')).toBe(tagOf(first.body));
      const other = await call('POST', `/v1/users/${id}/cart/checkout`, { idempotencyKey: key, body: { ttlMs: 90_000 } });
      expect(other).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
      const cancelKey = randomUUID();
      const cancelled = await call<Tagged>('POST', `/v1/users/${id}/cart/checkout/${first.body.checkoutId}/cancel`, { idempotencyKey: cancelKey, body: {} });
      expect(cancelled.status).toBe(200);
      // A key is one call: the cancel's key on complete is another request.
      const misused = await call('POST', `/v1/users/${id}/cart/checkout/${first.body.checkoutId}/complete`, { idempotencyKey: cancelKey, body: {} });
      expect(misused).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
      const replayed = await call('POST', `/v1/users/${id}/cart/checkout/${first.body.checkoutId}/cancel`, { idempotencyKey: cancelKey, body: {} });
      expect(replayed).toMatchObject({ status: 200, body: cancelled.body });
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    });

    it('answers If-Match of an older version on checkout, complete and cancel with 412 and the current tag', async () => {
      const id = user();
      const added = await call<Tagged>('POST', `/v1/users/${id}/cart/lines`, { body: line('tea') });
      await call('POST', `/v1/users/${id}/cart/lines`, { body: line('cake') });
      const stale = await call<Tagged>('POST', `/v1/users/${id}/cart/checkout`, { ifMatch: tagOf(added.body), body: {} });
      expect(stale).toMatchObject({ status: 412, body: { code: 'precondition_failed', epoch: added.body.epoch, version: 2 } });
      const started = await call<Tagged & { checkoutId: string }>('POST', `/v1/users/${id}/cart/checkout`, { ifMatch: `"${added.body.epoch}:2"`, body: {} });
      expect(started).toMatchObject({ status: 201, body: { version: 3 } });
      const end = `/v1/users/${id}/cart/checkout/${started.body.checkoutId}`;
      expect(await call(`POST`, `${end}/complete`, { ifMatch: `"${added.body.epoch}:2"`, body: {} })).toMatchObject({ status: 412, body: { version: 3 } });
      expect(await call(`POST`, `${end}/cancel`, { ifMatch: `"${added.body.epoch}:2"`, body: {} })).toMatchObject({ status: 412, body: { version: 3 } });
      const done = await call(`POST`, `${end}/complete`, { ifMatch: tagOf(started.body), body: {} });
      expect(done).toMatchObject({ status: 200, body: { version: 4 } });
    });

    it('replays a merge for its Idempotency-Key, answers 422 for another body, and 412 for an older If-Match', async () => {
      const account = user();
      const guest = user();
      const stranger = user();
      const at = await call<Tagged>('POST', `/v1/users/${account}/cart/lines`, { body: line('mug') });
      await call('POST', `/v1/users/${guest}/cart/lines`, { body: line('tea', 2) });
      await call('POST', `/v1/users/${stranger}/cart/lines`, { body: line('cake') });
      await call('POST', `/v1/users/${account}/cart/lines`, { body: line('pen') });
      const body = { fromUserId: guest, mode: 'merge', quantities: 'sum' };
      const stale = await call('POST', `/v1/users/${account}/merge`, { ifMatch: tagOf(at.body), body });
      expect(stale).toMatchObject({ status: 412, body: { code: 'precondition_failed', version: 2 } });
      expect((await call('GET', `/v1/users/${guest}`)).status).toBe(200);
      const key = randomUUID();
      const first = await call<Tagged>('POST', `/v1/users/${account}/merge`, { idempotencyKey: key, ifMatch: `"${at.body.epoch}:2"`, body });
      expect(first).toMatchObject({ status: 200, body: { version: 3, duplicate: false } });
      const again = await call('POST', `/v1/users/${account}/merge`, { idempotencyKey: key, ifMatch: `"${at.body.epoch}:2"`, body });
      expect(again).toMatchObject({ status: 200, body: first.body });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const other = await call('POST', `/v1/users/${account}/merge`, { idempotencyKey: key, body: { ...body, fromUserId: stranger } });
      expect(other).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
      expect((await call('GET', `/v1/users/${stranger}`)).status).toBe(200);
      expect((await call<Tagged>('GET', `/v1/users/${account}`)).body.version).toBe(3);
    });

    it('moves the ETag on signing a device out and on sign-out everywhere, so an older If-Match answers 412', async () => {
      const id = user();
      const added = await call<Tagged>('POST', `/v1/users/${id}/cart/lines`, { body: line('tea') });
      await device(id, 'phone');
      await device(id, 'laptop');
      const before = await call<Tagged>('GET', `/v1/users/${id}/devices`);
      expect(before.headers.get('etag')).toBe(tagOf(added.body));
      const removed = await call<Tagged>('DELETE', `/v1/users/${id}/devices/phone`, { ifMatch: tagOf(added.body) });
      expect(removed).toMatchObject({ status: 200, body: { version: 2, fromVersion: 1 } });
      const after = await call<Tagged>('GET', `/v1/users/${id}/devices`);
      expect(after.headers.get('etag')).toBe(tagOf(removed.body));
      expect(await call('POST', `/v1/users/${id}/sign-out`, { ifMatch: tagOf(added.body) })).toMatchObject({ status: 412, body: { version: 2 } });
      const out = await call<Tagged>('POST', `/v1/users/${id}/sign-out`, { ifMatch: tagOf(removed.body) });
      expect(out).toMatchObject({ status: 200, body: { version: 3 } });
      expect((await call('GET', `/v1/users/${id}`)).headers.get('etag')).toBe(tagOf(out.body));
    });
  });
}

import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, READ_SECRET, startAdminNode, type AdminNode, type ApiCall } from './admin-node.ts';

let node: AdminNode;
beforeAll(async () => {
  node = await startAdminNode();
  await api(node.adminUrl, 'POST', '/v1/users/known/cart/lines', { body: { sku: 'a', title: 'A', priceCents: 1, qty: 1 } });
});
afterAll(() => node?.close());

const reused = randomUUID();
const line = { sku: 'tea', title: 'Tea', priceCents: 100, qty: 1 };

/** [what, method, path, call, status, code] */
const CASES: Array<[string, string, string, ApiCall, number, string]> = [
  ['no key', 'GET', '/v1/users/known', { secret: null }, 401, 'unauthorized'],
  ['a wrong key', 'GET', '/v1/users/known', { secret: 'x'.repeat(40) }, 401, 'unauthorized'],
  ['a key that is not Bearer', 'GET', '/v1/users/known', { secret: null, headers: { authorization: 'Basic abc' } }, 401, 'unauthorized'],
  ['a read key writing', 'POST', '/v1/users/known/cart/lines', { secret: READ_SECRET, body: line }, 403, 'forbidden'],
  ['an unknown user', 'GET', '/v1/users/nobody-here', {}, 404, 'not_found'],
  ['a user id with braces', 'GET', '/v1/users/%7Bevil%7D', {}, 400, 'bad_request'],
  ['broken percent-encoding', 'GET', '/v1/users/%E0%A4%A', {}, 400, 'bad_request'],
  ['an unknown field', 'POST', '/v1/users/known/cart/lines', { body: { ...line, admin: true } }, 400, 'bad_request'],
  ['a missing field', 'POST', '/v1/users/known/cart/lines', { body: { sku: 'tea' } }, 400, 'bad_request'],
  ['a negative quantity', 'PUT', '/v1/users/known/cart/lines/a', { body: { qty: -1 } }, 400, 'bad_request'],
  ['a string for a number', 'PUT', '/v1/users/known/cart/lines/a', { body: { qty: '5' } }, 400, 'bad_request'],
  ['a body that is not JSON', 'POST', '/v1/users/known/cart/lines', { raw: '{"sku":', headers: { 'content-type': 'application/json' } }, 400, 'bad_request'],
  ['JSON null', 'POST', '/v1/users/known/cart/lines', { raw: 'null', headers: { 'content-type': 'application/json' } }, 400, 'bad_request'],
  ['a body that is not declared JSON', 'POST', '/v1/users/known/cart/lines', { raw: JSON.stringify(line), headers: { 'content-type': 'text/plain' } }, 415, 'bad_request'],
  ['a body on a call that takes none', 'DELETE', '/v1/users/known/cart', { body: { all: true } }, 400, 'bad_request'],
  ['no Idempotency-Key', 'DELETE', '/v1/users/known/cart', { idempotencyKey: null }, 400, 'bad_request'],
  ['an Idempotency-Key with spaces', 'DELETE', '/v1/users/known/cart', { idempotencyKey: 'a b' }, 400, 'bad_request'],
  ['a malformed If-Match', 'DELETE', '/v1/users/known/cart', { ifMatch: 'W/"x"' }, 400, 'bad_request'],
  ['an unknown query parameter', 'GET', '/v1/users/known/changes?sinse=1', {}, 400, 'bad_request'],
  ['a repeated query parameter', 'GET', '/v1/users/known/changes?since=1&since=2', {}, 400, 'bad_request'],
  ['a limit past the bound', 'GET', '/v1/users/known/changes?limit=100000', {}, 400, 'bad_request'],
  ['an empty PATCH', 'PATCH', '/v1/users/known/cart', { body: { ops: [] } }, 400, 'bad_request'],
  ['an unknown PATCH op', 'PATCH', '/v1/users/known/cart', { body: { ops: [{ op: 'steal' }] } }, 400, 'bad_request'],
  ['a lone surrogate in a title', 'POST', '/v1/users/known/cart/lines', { body: { ...line, title: 'bad \ud800' } }, 400, 'bad_request'],
  ['a body over 64 KB', 'POST', '/v1/users/known/cart/lines', { body: { ...line, title: 'x'.repeat(70_000) } }, 413, 'too_large'],
  ['a reused Idempotency-Key, first use', 'POST', '/v1/users/known/cart/lines', { body: line, idempotencyKey: reused }, 200, ''],
  ['a reused Idempotency-Key with another body', 'POST', '/v1/users/known/cart/lines', { body: { ...line, qty: 2 }, idempotencyKey: reused }, 422, 'idempotency_key_reused'],
  ['an unknown route', 'GET', '/v1/nothing', {}, 404, 'not_found'],
  ['a wrong method', 'PUT', '/v1/users/known', {}, 405, 'bad_request'],
];

describe('admin API bad input', () => {
  it.each(CASES)('answers %s with the right status and code', async (_what, method, path, call, status, code) => {
    const res = await api(node.adminUrl, method, path, call);
    expect(res.status).toBe(status);
    if (status >= 400) {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status, code, type: 'about:blank', title: expect.any(String), detail: expect.any(String) });
    }
  });

  it('survives garbage on the wire and keeps answering', async () => {
    const garbage = ['GARBAGE\r\n\r\n', 'GET /v1/users/known HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', '\x00\x01\x02\xff'.repeat(100), 'POST / HTTP/1.1\r\n' + 'X: y\r\n'.repeat(2000) + '\r\n'];
    const port = Number(new URL(node.adminUrl).port);
    await Promise.all(
      garbage.map(
        (bytes) =>
          new Promise<void>((resolve) => {
            const socket = netConnect(port, '127.0.0.1', () => socket.end(bytes));
            socket.on('data', () => {});
            socket.on('close', () => resolve());
            socket.on('error', () => resolve());
          }),
      ),
    );
    // A client that stops mid-body.
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${node.adminUrl}/v1/users/known/cart/lines`, { method: 'POST', headers: { 'content-length': '1000', 'content-type': 'application/json' } });
      req.on('error', () => resolve());
      req.write('{"sku":', () => {
        req.destroy();
        resolve();
      });
    });
    const res = await api(node.adminUrl, 'GET', '/v1/users/known');
    expect(res.status).toBe(200);
  });
});

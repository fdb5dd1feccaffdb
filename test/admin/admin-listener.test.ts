import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { startAdminNode, type AdminNode } from './admin-node.ts';

const WRITE = 'w'.repeat(40);
const READ = 'r'.repeat(40);

let node: AdminNode;
let base = '';

beforeAll(async () => {
  node = await startAdminNode();
  base = node.adminUrl;
});
afterAll(() => node.close());

describe('admin listener', () => {
  it('serves an OpenAPI 3.1 document that a real validator accepts', async () => {
    const res = await fetch(`${base}/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; info: { version: string }; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    // swagger-parser mutates its argument.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/openapi.json', '/v1/users/{userId}', '/v1/users/{userId}/changes', '/v1/users/{userId}/cart/lines/{sku}']),
    );
  });

  it('is not the client port, and the client port has no /metrics', async () => {
    expect(node.adminUrl).not.toBe(node.url);
    expect((await fetch(`${node.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${node.url}/v1/openapi.json`)).status).toBe(404);
  });

  it('serves /metrics and /healthz', async () => {
    await fetch(`${base}/v1/openapi.json`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/tandem_admin_requests_total\{[^}]*route="getOpenApi"[^}]*\} \d+/);
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: 'ok' });
  });

  it('answers an unknown route with a problem document', async () => {
    const res = await fetch(`${base}/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, code: 'not_found', title: 'Not Found' });
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await fetch(`${base}/v1/openapi.json`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('admin configuration', () => {
  it('refuses a secret shorter than 32 characters without printing it', () => {
    expect(() => loadConfig({ API_KEYS: 'orders:short-secret:write' })).toThrow(/API_KEYS entry 1 \(orders\): secret must be at least 32/);
    try {
      loadConfig({ API_KEYS: 'orders:short-secret:write' });
    } catch (err) {
      expect(String(err)).not.toContain('short-secret');
    }
  });

  it('takes several keys with their scopes, and refuses a bad scope or a duplicate name', () => {
    const config = loadConfig({ API_KEYS: `a:${WRITE}:write, b:${READ}:read` });
    expect(config.admin.keys.map((k) => [k.name, k.scope])).toEqual([['a', 'write'], ['b', 'read']]);
    expect(() => loadConfig({ API_KEYS: `a:${WRITE}:admin` })).toThrow(/scope must be read or write/);
    expect(() => loadConfig({ API_KEYS: `a:${WRITE}:write,a:${READ}:read` })).toThrow(/appears twice/);
  });

  it('defaults the admin port to PORT + 10000 on loopback, and never the client port', () => {
    expect(loadConfig({ PORT: '3000' }).admin).toMatchObject({ port: 13000, host: '127.0.0.1' });
    expect(loadConfig({ PORT: '0' }).admin.port).toBe(0);
    expect(() => loadConfig({ PORT: '3000', ADMIN_PORT: '3000' })).toThrow(/must differ from PORT/);
  });
});

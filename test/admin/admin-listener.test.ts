import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminServer, type AdminServer } from '../../server/admin/admin-server.ts';
import { createAdminRoutes } from '../../server/admin/routes/table.ts';
import { loadConfig } from '../../server/config.ts';
import { createMemoryEngine } from '../../server/engine/memory/memory-engine.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { createMetrics } from '../../server/observability/metrics.ts';

const WRITE = 'w'.repeat(40);
const READ = 'r'.repeat(40);

let server: AdminServer;
let base = '';

beforeAll(async () => {
  const config = loadConfig({ ADMIN_PORT: '0', API_KEYS: `orders:${WRITE}:write,reports:${READ}:read` });
  const engine = createMemoryEngine({ rateLimit: config.rateLimit, maxDevices: config.maxDevices });
  server = createAdminServer({
    config: config.admin,
    routes: createAdminRoutes({ engine, config: config.admin }),
    metrics: createMetrics({ nodeId: 'n1' }),
    logger: createLogger({ level: 'silent', nodeId: 'n1' }),
    nodeId: 'n1',
  });
  base = `http://127.0.0.1:${await server.listen()}`;
});
afterAll(() => server.close());

describe('admin listener', () => {
  it('serves an OpenAPI 3.1 document that a real validator accepts', async () => {
    const res = await fetch(`${base}/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; info: { version: string }; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    // swagger-parser mutates its argument.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(Object.keys(doc.paths)).toContain('/v1/openapi.json');
  });

  it('serves /metrics and /healthz', async () => {
    await fetch(`${base}/v1/openapi.json`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/tandem_admin_requests_total\{[^}]*route="getOpenApi"[^}]*\} \d+/);
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: 'ok', node: 'n1' });
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

import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../server/config.ts';
import type { Engine } from '../../server/engine/engine.ts';
import { startNode } from '../../server/node.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { createMetrics } from '../../server/observability/metrics.ts';
import { TEST_JWT_SECRET } from '../support/gateway-process.ts';

export const WRITE_SECRET = 'orders-secret-0123456789abcdef0123456789';
export const READ_SECRET = 'reports-secret-0123456789abcdef012345678';
/** Both test keys, for API_KEYS. */
export const TEST_API_KEYS = `orders:${WRITE_SECRET}:write,reports:${READ_SECRET}:read`;

export interface ApiCall {
  body?: unknown;
  /** @default WRITE_SECRET; null sends no Authorization header */
  secret?: string | null;
  /** @default a fresh key on mutating methods; null sends none */
  idempotencyKey?: string | null;
  ifMatch?: string;
  headers?: Record<string, string>;
  /** A raw body instead of JSON. */
  raw?: string;
}

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls the admin API at `base` and parses the answer (JSON or problem+json). */
export async function api<T = Record<string, unknown>>(base: string, method: string, path: string, call: ApiCall = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...call.headers };
  const secret = call.secret === undefined ? WRITE_SECRET : call.secret;
  if (secret !== null) headers['authorization'] = `Bearer ${secret}`;
  const mutating = method !== 'GET';
  const key = call.idempotencyKey === undefined ? (mutating ? randomUUID() : null) : call.idempotencyKey;
  if (key !== null) headers['idempotency-key'] = key;
  if (call.ifMatch !== undefined) headers['if-match'] = call.ifMatch;
  let body: string | undefined;
  if (call.raw !== undefined) body = call.raw;
  else if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
}

export interface AdminNode {
  url: string;
  adminUrl: string;
  engine: Engine;
  close(): Promise<void>;
}

/**
 * One node composed in this process with main.ts's wiring (server/node.ts), on
 * free ports, for the admin contract suite. `env` picks the store (REDIS_URL, REDIS_CLUSTER_NODES or none).
 */
export async function startAdminNode(env: Record<string, string> = {}): Promise<AdminNode> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    ADMIN_PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    API_KEYS: TEST_API_KEYS,
    SERVE_DEMO: 'false',
    RATE_LIMIT_PER_SEC: '10000',
    RATE_LIMIT_BURST: '10000',
    API_RATE_LIMIT_PER_SEC: '10000',
    API_RATE_LIMIT_BURST: '10000',
    ...env,
  });
  const logger = createLogger({ level: 'silent', nodeId: config.nodeId });
  const metrics = createMetrics({ nodeId: config.nodeId });
  const { infra, gateway, admin, port, adminPort, webhooks } = await startNode(config, logger, metrics);
  return {
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    engine: infra.engine,
    async close() {
      await admin.close();
      await gateway.close();
      await webhooks.stop();
      await infra.close();
    },
  };
}

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { DevTokenRequest, type DevTokenSigner } from '../auth/dev-token-signer.ts';
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { StaticHandler } from './static-files.ts';
import { raceTimer } from '../util/race-timer.ts';

export interface HttpRoutesDeps {
  nodeId: string;
  engine: Engine;
  metrics: Metrics;
  logger: Logger;
  isDraining(): boolean;
  /** null when DEV_TOKENS is off. */
  devTokens: DevTokenSigner | null;
  /** Whether a browser Origin may call the HTTP API (same rule as sockets). */
  isOriginAllowed(req: IncomingMessage): boolean;
  staticFiles: StaticHandler;
  /** @default 2000 */
  readyTimeoutMs?: number;
}

const MAX_BODY = 4096;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The plain HTTP side of a node: probes, the dev token endpoint, the demo files (/metrics is on the admin port). */
export function createHttpRoutes(deps: HttpRoutesDeps): RequestListener {
  const devToken = async (req: IncomingMessage, res: ServerResponse) => {
    const signer = deps.devTokens;
    if (!signer) return json(res, 404, { error: { code: 'not_found', message: 'dev tokens are off' } });
    if (!deps.isOriginAllowed(req)) return json(res, 403, { error: { code: 'forbidden', message: 'origin not allowed' } });
    if (req.headers.origin) {
      res.setHeader('access-control-allow-origin', req.headers.origin);
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' });
      return res.end();
    }
    if (req.method !== 'POST') return json(res, 405, { error: { code: 'bad_request', message: 'use POST' } });
    const body = await readBody(req);
    if (body === null) return json(res, 413, { error: { code: 'too_large', message: 'body too large' } });
    let parsed;
    try {
      parsed = DevTokenRequest.safeParse(JSON.parse(body));
    } catch {
      return json(res, 400, { error: { code: 'bad_request', message: 'body is not JSON' } });
    }
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ').slice(0, 400);
      return json(res, 400, { error: { code: 'bad_request', message } });
    }
    return json(res, 200, await signer.sign(parsed.data));
  };

  const ready = async (res: ServerResponse) => {
    if (deps.isDraining()) return json(res, 503, { status: 'draining', node: deps.nodeId });
    try {
      await raceTimer(deps.engine.ping(), deps.readyTimeoutMs ?? 2000, () => new Error('readiness probe timed out'));
      return json(res, 200, { status: 'ready', node: deps.nodeId, engine: deps.engine.kind });
    } catch {
      return json(res, 503, { status: 'engine unavailable', node: deps.nodeId });
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/healthz':
        return json(res, 200, { status: 'ok', node: deps.nodeId });
      case '/readyz':
        return ready(res);
      case '/auth/dev-token':
        return devToken(req, res);
    }
    if (await deps.staticFiles(req, res)) return;
    json(res, 404, { error: { code: 'not_found', message: 'not found' } });
  };

  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      deps.logger.error({ err, path: req.url }, 'http request failed');
      if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: 'internal error' } });
      else res.destroy();
    });
  };
}

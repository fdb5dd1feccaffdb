import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter } from 'prom-client';
import type { AdminConfig } from '../config/admin.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createApiKeyRing } from './api-keys.ts';
import { sendJson, sendProblem } from './http-io.ts';
import { problem } from './problem.ts';
import type { Route } from './route.ts';
import { createRouter } from './router.ts';

export interface AdminServerOptions {
  config: AdminConfig;
  routes: readonly Route[];
  metrics: Metrics;
  logger: Logger;
  nodeId: string;
}

export interface AdminServer {
  readonly httpServer: Server;
  /** Listens on ADMIN_HOST:ADMIN_PORT; resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The admin listener of a node: the backend API (/v1/…), /metrics and /healthz, on its own port and
 * host (loopback by default), never the client port.
 */
export function createAdminServer(options: AdminServerOptions): AdminServer {
  const { metrics, logger } = options;
  const calls = new Counter({
    name: 'tandem_admin_requests_total',
    help: 'Backend API calls by route and HTTP status',
    labelNames: ['route', 'status'],
    registers: [metrics.registry],
  });
  const router = createRouter({
    routes: options.routes,
    keys: createApiKeyRing(options.config.keys),
    logger,
    observe: (route, status) => calls.inc({ route, status: String(status) }),
  });

  const { http } = options.config;
  // Slow or stuck callers must not hold sockets: bounded header, request and idle times (Node checks the
  // timers every interval), few headers, a bounded number of connections.
  const timeouts = {
    headersTimeout: http.headersTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, Math.ceil(http.headersTimeoutMs / 4)),
  };
  const httpServer = createServer(timeouts, async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(await metrics.registry.metrics());
        return;
      }
      if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok', node: options.nodeId });
      if (await router(req, res)) return;
      sendProblem(res, problem(404, 'not_found', 'no such route'));
    } catch (err) {
      logger.error({ err, path: req.url }, 'admin request failed');
      sendProblem(res, problem(500, 'internal', 'internal error'));
    }
  });
  httpServer.maxHeadersCount = 100;
  if (http.maxConnections > 0) httpServer.maxConnections = http.maxConnections;
  httpServer.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  return {
    httpServer,
    listen() {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(options.config.port, options.config.host, () => {
          httpServer.off('error', reject);
          resolve((httpServer.address() as AddressInfo).port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}

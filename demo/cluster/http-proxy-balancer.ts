import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import { CONTROL_HEADER, CONTROL_PREFIX } from './haproxy-config.ts';
import { probe } from './which.ts';

export interface HttpProxyBalancerOptions {
  port: number;
  backends: ReadonlyArray<{ name: string; port: number }>;
  controlPort?: number;
}

export interface HttpProxyBalancer {
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * The fallback balancer when neither haproxy nor nginx is installed: round-robin over the nodes that
 * pass /readyz, with http-proxy doing the proxying (HTTP and the WebSocket upgrade).
 */
export async function startHttpProxyBalancer(options: HttpProxyBalancerOptions): Promise<HttpProxyBalancer> {
  const proxy = httpProxy.createProxyServer({ xfwd: true });
  if (options.controlPort) {
    proxy.on('proxyRes', (proxyRes) => {
      proxyRes.headers[CONTROL_HEADER.toLowerCase()] = CONTROL_PREFIX;
    });
  }
  const healthy = new Set(options.backends.map((b) => b.port));
  let next = 0;

  const pick = (exclude?: number): number | null => {
    const candidates = options.backends.filter((b) => healthy.has(b.port) && b.port !== exclude);
    const pool = candidates.length > 0 ? candidates : options.backends.filter((b) => b.port !== exclude);
    if (pool.length === 0) return null;
    const chosen = pool[next % pool.length];
    next += 1;
    return chosen?.port ?? null;
  };

  const check = async () => {
    await Promise.all(
      options.backends.map(async (b) => {
        const ok = (await probe(`http://127.0.0.1:${b.port}/readyz`, 800))?.status === 200;
        if (ok) healthy.add(b.port);
        else healthy.delete(b.port);
      }),
    );
  };
  const timer = setInterval(() => void check(), 1000);
  timer.unref();

  const target = (port: number) => `http://127.0.0.1:${port}`;

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, attempt: number, exclude?: number) => {
    const port = pick(exclude);
    if (port === null) return socket.destroy();
    proxy.ws(req, socket, head, { target: target(port) }, (error: NodeJS.ErrnoException) => {
      healthy.delete(port);
      // A node that just died refuses the connection: hand the upgrade to the next node once.
      if (error.code === 'ECONNREFUSED' && attempt < 2 && !socket.destroyed) upgrade(req, socket, head, attempt + 1, port);
      else socket.destroy();
    });
  };

  const forward = (req: IncomingMessage, res: ServerResponse, attempt: number, exclude?: number) => {
    const port = pick(exclude);
    if (port === null) return void res.writeHead(503).end('no gateway node available');
    proxy.web(req, res, { target: target(port) }, (error: NodeJS.ErrnoException) => {
      healthy.delete(port);
      // Only a request without a body can be replayed: its bytes were not consumed by the dead node.
      const replayable = req.method === 'GET' || req.method === 'HEAD';
      if (error.code === 'ECONNREFUSED' && replayable && attempt < 2 && !res.headersSent) forward(req, res, attempt + 1, port);
      else if (!res.headersSent) res.writeHead(502).end('gateway node unavailable');
    });
  };

  const server = createServer((req, res) => {
    if (options.controlPort && req.url?.startsWith(CONTROL_PREFIX)) {
      proxy.web(req, res, { target: target(options.controlPort) }, () => {
        if (!res.headersSent) res.writeHead(502).end('demo control endpoint unavailable');
      });
      return;
    }
    forward(req, res, 0);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrade(req, socket, head, 0));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        proxy.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ClusterInfo, ClusterNodeInfo } from '../src/cluster-types.ts';
import { connectionCount } from '../src/metrics-text.ts';
import { probe } from './which.ts';
import type { GatewayNode } from './gateway-node.ts';

export interface ControlServerOptions {
  port: number;
  nodes: readonly GatewayNode[];
  balancer: () => string;
  redis: 'local' | 'external';
  /** Told about every kill and restart (the CLI prints them). */
  onAction?: (message: string) => void;
}

export interface ControlServer {
  readonly server: Server;
  close(): Promise<void>;
}

async function nodeInfo(node: GatewayNode): Promise<ClusterNodeInfo> {
  const alive = node.pid !== undefined;
  const [ready, metrics] = alive
    ? await Promise.all([probe(`${node.url}/readyz`, 800), probe(`${node.adminUrl}/metrics`, 800)])
    : [null, null];
  return {
    id: node.id,
    port: node.port,
    state: node.state,
    pid: node.pid ?? null,
    ready: alive ? ready?.status === 200 : null,
    connections: metrics?.status === 200 ? connectionCount(metrics.body) : null,
    startedAt: node.startedAt,
    restarts: node.restarts,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * The demo-only control endpoint: lists the nodes and kills or restarts them. It lives in the demo
 * process (never in the gateway) and is reached through the balancer under /demo-api/.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const clusterInfo = async (): Promise<ClusterInfo> => ({
    mode: 'cluster',
    balancer: options.balancer(),
    redis: options.redis,
    nodes: await Promise.all(options.nodes.map(nodeInfo)),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    if (req.method === 'GET' && url.pathname === '/demo-api/cluster') return send(res, 200, await clusterInfo());
    const action = /^\/demo-api\/nodes\/([^/]+)\/(kill|restart)$/.exec(url.pathname);
    if (!action) return send(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' });
    // A JSON content type needs a CORS preflight, so another site cannot press these buttons.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return send(res, 415, { error: 'send application/json' });
    const node = options.nodes.find((n) => n.id === decodeURIComponent(action[1] ?? ''));
    if (!node) return send(res, 404, { error: 'no such node' });
    if (action[2] === 'kill') {
      const pid = node.pid;
      await node.kill();
      options.onAction?.(`killed ${node.id}${pid ? ` (kill -9 ${pid})` : ''}`);
      return send(res, 200, await clusterInfo());
    }
    options.onAction?.(node.state === 'running' ? `draining ${node.id}, then starting it again` : `starting ${node.id}`);
    node.restart().then(
      () => options.onAction?.(`${node.id} is back (pid ${node.pid ?? '?'})`),
      (error: unknown) => options.onAction?.(`${node.id} failed to restart: ${error instanceof Error ? error.message : String(error)}`),
    );
    return send(res, 202, await clusterInfo());
  };

  const server = createServer((req, res) => {
    req.resume();
    handle(req, res).catch((error: unknown) => send(res, 500, { error: error instanceof Error ? error.message : 'internal' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

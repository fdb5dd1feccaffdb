import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type Admission = { ok: true } | { ok: false; status: 403 | 503; message: string };

/**
 * Whether a request's Origin may use this node. Browsers always send Origin on a WebSocket handshake;
 * non-browser clients usually send none and are let through (they authenticate like anyone else).
 * Same-origin pages and the configured origins are allowed; `*` allows all. Origins are compared whole:
 * scheme, host and port (`http://app` is not `https://app`, nor `https://app:8443`). The request's own
 * scheme is https on a TLS socket, or what X-Forwarded-Proto says when `trustProxy` hops are trusted.
 */
export function createOriginPolicy(corsOrigins: readonly string[], trustProxy = 0): (req: IncomingMessage) => boolean {
  const allowAll = corsOrigins.includes('*');
  const allowed = new Set(corsOrigins);
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined || allowAll) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (allowed.has(url.origin)) return true;
    const host = req.headers.host;
    if (host === undefined) return false;
    try {
      return new URL(`${requestScheme(req, trustProxy)}://${host}`).origin === url.origin;
    } catch {
      return false;
    }
  };
}

function requestScheme(req: IncomingMessage, trustProxy: number): 'http' | 'https' {
  if ((req.socket as { encrypted?: boolean } | undefined)?.encrypted) return 'https';
  if (trustProxy > 0) {
    const raw = req.headers['x-forwarded-proto'];
    const proto = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((s) => s.trim().toLowerCase());
    const hop = proto[Math.max(0, proto.length - trustProxy)];
    if (hop === 'https' || hop === 'http') return hop;
  }
  return 'http';
}

/** Decides, from the HTTP request alone, whether a socket handshake may proceed (before any auth work). */
export function createAdmission(options: {
  originAllowed: (req: IncomingMessage) => boolean;
  isDraining(): boolean;
}): (req: IncomingMessage) => Admission {
  return (req) => {
    if (options.isDraining()) return { ok: false, status: 503, message: 'node is draining' };
    if (!options.originAllowed(req)) return { ok: false, status: 403, message: 'origin not allowed' };
    return { ok: true };
  };
}

const STATUS_TEXT = { 403: 'Forbidden', 503: 'Service Unavailable' } as const;

/**
 * Puts `admission` in front of every WebSocket upgrade of `server`. engine.io's own `allowRequest` refusal
 * answers an upgrade with HTTP 400 whatever the reason; clients and proxies deserve 403 or 503.
 * Call after socket.io attached its upgrade listener.
 */
export function gateUpgrades(
  server: Server,
  admission: (req: IncomingMessage) => Admission,
): void {
  const listeners = server.listeners('upgrade') as Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => void>;
  server.removeAllListeners('upgrade');
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const verdict = admission(req);
    if (!verdict.ok) {
      socket.on('error', () => {});
      socket.end(
        `HTTP/1.1 ${verdict.status} ${STATUS_TEXT[verdict.status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
          `Content-Length: ${Buffer.byteLength(verdict.message)}\r\n\r\n${verdict.message}`,
      );
      return;
    }
    for (const listener of listeners) listener.call(server, req, socket, head);
  });
}

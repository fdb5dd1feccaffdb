import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type Admission = { ok: true } | { ok: false; status: 403 | 503; message: string };

/**
 * Whether a request's Origin may use this node. Browsers always send Origin on a WebSocket handshake;
 * non-browser clients usually send none and are let through (they authenticate like anyone else).
 * Same-origin pages (Origin host = Host) and the configured origins are allowed; `*` allows all.
 */
export function createOriginPolicy(corsOrigins: readonly string[]): (req: IncomingMessage) => boolean {
  const allowAll = corsOrigins.includes('*');
  const allowed = new Set(corsOrigins);
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined || allowAll || allowed.has(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  };
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

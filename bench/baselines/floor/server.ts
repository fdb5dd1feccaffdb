/**
 * The floor: the least code that carries a message device A → node 1 → Redis PUBLISH → node 2 → device B.
 * Raw `ws` and ioredis; no auth, validation or state. One Redis channel per user, subscribed while the node
 * holds a socket of that user (like the sharded adapter's dynamic mode).
 * Env: PORT, REDIS_URL, NODE_ID. Clients connect to `/?user=<id>` and send text frames.
 */
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const nodeId = process.env.NODE_ID ?? `floor-${process.pid}`;

const pub = new Redis(redisUrl);
const sub = new Redis(redisUrl);
const sockets = new Map<string, Map<string, WebSocket>>();
const NEWLINE = 0x0a;
let nextConn = 0;

// A published frame is `<connId>\n<payload>`, so the sender's own node can skip the sender.
sub.on('messageBuffer', (channel: Buffer, frame: Buffer) => {
  const local = sockets.get(channel.toString());
  if (!local) return;
  const cut = frame.indexOf(NEWLINE);
  const from = frame.toString('latin1', 0, cut);
  const payload = frame.subarray(cut + 1);
  for (const [connId, ws] of local) if (connId !== from) ws.send(payload, { binary: false });
});

const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  const user = new URL(req.url ?? '/', 'http://localhost').searchParams.get('user') ?? 'anonymous';
  const channel = `u:${user}`;
  const connId = `${nodeId}.${nextConn++}`;
  let local = sockets.get(channel);
  if (!local) {
    local = new Map();
    sockets.set(channel, local);
    void sub.subscribe(channel);
  }
  local.set(connId, ws);
  const prefix = Buffer.from(`${connId}\n`, 'latin1');
  ws.on('message', (data: Buffer) => {
    void pub.publish(channel, Buffer.concat([prefix, data]));
  });
  ws.on('close', () => {
    local.delete(connId);
    if (local.size === 0 && sockets.get(channel) === local) {
      sockets.delete(channel);
      void sub.unsubscribe(channel);
    }
  });
});
wss.on('listening', () => process.stdout.write(`floor ${nodeId} listening on ${port}\n`));

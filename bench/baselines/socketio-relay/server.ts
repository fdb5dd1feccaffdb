/**
 * The floor of our stack: a socket.io relay through @socket.io/redis-adapter, same path as the product
 * (device A → node 1 → Redis → node 2 → device B) with no auth, validation or state.
 * Env: PORT, REDIS_URL, NODE_ID, ADAPTER = classic | sharded (sharded runs in `dynamic` subscription mode).
 * Clients connect with `auth: { user }` and emit `change` with any payload; the other sockets of the user get it.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const port = Number(process.env.PORT);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const nodeId = process.env.NODE_ID ?? `sio-${process.pid}`;
const kind = process.env.ADAPTER === 'classic' ? 'classic' : 'sharded';

const pub = new Redis(redisUrl);
const sub = pub.duplicate();
const adapter =
  kind === 'classic'
    ? createAdapter(pub, sub)
    : createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' });

const httpServer = createServer();
const io = new Server(httpServer, { adapter, transports: ['websocket'], serveClient: false, maxHttpBufferSize: 64 * 1024 });

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { user?: unknown };
  // Room names of exactly 20 characters are mistaken for socket ids by the sharded adapter; `u:` + id avoids it.
  const room = `u:${typeof auth.user === 'string' ? auth.user : 'anonymous'}`;
  void socket.join(room);
  socket.on('change', (payload: unknown) => {
    socket.to(room).emit('change', payload);
  });
});

httpServer.listen(port, '127.0.0.1', () => process.stdout.write(`socket.io relay ${nodeId} (${kind}) listening on ${port}\n`));

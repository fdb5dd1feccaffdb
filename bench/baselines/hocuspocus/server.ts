/**
 * The peer: what a team would pick instead to sync state across devices through Redis. One
 * @hocuspocus/server v3 instance with @hocuspocus/extension-redis; the benchmark runs two (or more) of them
 * on one Redis. A user's cart is a Yjs map in the document `cart-<user>`.
 * Env: PORT, REDIS_URL, NODE_ID.
 */
import { Redis as RedisExtension } from '@hocuspocus/extension-redis';
import { Server } from '@hocuspocus/server';

const port = Number(process.env.PORT);
const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const nodeId = process.env.NODE_ID ?? `hocuspocus-${process.pid}`;

const server = new Server({
  name: nodeId,
  port,
  address: '127.0.0.1',
  quiet: true,
  extensions: [new RedisExtension({ host: redis.hostname, port: Number(redis.port), identifier: nodeId })],
});

await server.listen();
process.stdout.write(`hocuspocus ${nodeId} listening on ${port}\n`);

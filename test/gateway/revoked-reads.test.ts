import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { timeout } from '../support/timing.ts';
import { call, connect, ok, type ClientSocket } from './helpers.ts';

const GENEROUS_LIMITS = { RATE_LIMIT_PER_SEC: '100000', RATE_LIMIT_BURST: '100000' };

let redis: RedisServer;
let probe: Redis;
let node1: GatewayProcess;
let node2: GatewayProcess;
const sockets: ClientSocket[] = [];

async function device(node: GatewayProcess, userId: string, deviceId: string) {
  // Issued in the past, so the sign-out below is later than the token whatever the clocks' resolution.
  const token = await mintToken({ userId, deviceId, issuedAt: Date.now() / 1000 - 5 });
  const socket = await connect(node.url, { token, deviceId });
  sockets.push(socket);
  return socket;
}

/** What a read of a socket comes to: its answer, or the end of the socket before an answer came. */
async function read(socket: ClientSocket, event: Extract<RequestEvent, 'sync:since' | 'devices:list'>): Promise<string> {
  const ended = new Promise<string>((resolve) => socket.once('disconnect', () => resolve('disconnected')));
  const answer = (event === 'sync:since' ? call(socket, event, { since: null }) : call(socket, event, {})).then((ack) =>
    ack.ok ? 'ok' : ack.error.code,
  );
  return socket.connected ? Promise.race([answer, ended]) : 'disconnected';
}

beforeAll(async () => {
  redis = await startRedis();
  probe = new Redis(redis.url);
  [node1, node2] = await Promise.all([
    startGateway({ redisUrl: redis.url, nodeId: 'node-1', env: GENEROUS_LIMITS }),
    startGateway({ redisUrl: redis.url, nodeId: 'node-2', env: GENEROUS_LIMITS }),
  ]);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  probe?.disconnect();
  await Promise.all([node1?.kill(), node2?.kill()]);
  await redis?.stop();
});

describe('a revoked session whose revoke signal was lost', () => {
  it('reads nothing once signed out everywhere on another node, and is ended within 10 s', async () => {
    const phone = await device(node1, 'rita', 'rita-phone');
    const laptop = await device(node2, 'rita', 'rita-laptop');
    await ok(phone, 'sync:since', { since: null });
    await ok(laptop, 'sync:since', { since: null });
    const phoneEnding = new Promise<string>((resolve) => phone.on('session:ending', (p) => resolve(p.reason)));
    const phoneGone = new Promise<void>((resolve) => phone.once('disconnect', () => resolve()));

    // Every pub/sub connection goes (node 1's subscriber among them): the revoke signal published next is lost
    // for node 1 until its subscriber is back.
    const killed = Number(await probe.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
    expect(killed).toBeGreaterThanOrEqual(2);
    await ok(laptop, 'auth:sign-out', { scope: 'everywhere' });

    const answers = [await read(phone, 'sync:since'), await read(phone, 'devices:list')];
    for (const answer of answers) expect(['unauthorized', 'disconnected']).toContain(answer);
    await timeout(phoneGone, 10_000, 'the revoked phone to be disconnected');
    expect(await timeout(phoneEnding, 1_000, 'session:ending')).toBe('revoked');

    // A token issued after the sign-out reads again, on the node that lost the signal.
    const fresh = await connect(node1.url, { token: await mintToken({ userId: 'rita', deviceId: 'rita-phone', issuedAt: Date.now() / 1000 + 0.5 }), deviceId: 'rita-phone' });
    sockets.push(fresh);
    expect((await ok(fresh, 'devices:list', {})).devices.map((d) => d.deviceId)).toContain('rita-phone');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connect, disconnected, nextPush, ok, refusal, send, upgradeStatus, type ClientSocket } from './helpers.ts';

let redis: RedisServer;
let node: GatewayProcess;
const sockets: ClientSocket[] = [];

async function user(userId: string, deviceId = `${userId}-phone`) {
  const socket = await connect(node.url, { token: await mintToken({ userId, deviceId }), deviceId });
  sockets.push(socket);
  return socket;
}

const badRequest = (message?: RegExp) => ({ ok: false, error: { code: 'bad_request', message: message ? expect.stringMatching(message) : expect.any(String) } });


beforeAll(async () => {
  redis = await startRedis();
  node = await startGateway({
    redisUrl: redis.url,
    nodeId: 'guarded',
    env: { RATE_LIMIT_PER_SEC: '20', RATE_LIMIT_BURST: '40', CORS_ORIGINS: 'https://app.example', MAX_DEVICES_PER_USER: '3' },
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await node?.kill();
  await redis?.stop();
});

describe('malformed requests', () => {
  it('answers malformed payloads and wrong types with bad_request and applies nothing', async () => {
    const socket = await user('hank');
    const line = { seq: 1, sku: 'sku-1', title: 'Lamp', priceCents: 1000, qty: 1 };
    expect(await send(socket, 'cart:add', { ...line, qty: 'two' })).toEqual(badRequest(/^qty must be a whole number$/));
    expect(await send(socket, 'cart:add', { ...line, qty: 1000 })).toEqual(badRequest(/^qty must be between 1 and 999$/));
    expect(await send(socket, 'cart:add', { ...line, seq: '1' })).toEqual(badRequest(/^seq must /));
    expect(await send(socket, 'cart:add', { ...line, admin: true })).toEqual(badRequest(/admin/));
    expect(await send(socket, 'cart:add', { ...line, sku: 'a b' })).toEqual(badRequest(/^sku may use only /));
    expect(await send(socket, 'cart:add', null)).toEqual(badRequest());
    expect(await send(socket, 'cart:add', [line])).toEqual(badRequest());
    expect(await send(socket, 'cart:add')).toEqual(badRequest(/exactly one payload/));
    expect(await send(socket, 'cart:add', line, 'extra')).toEqual(badRequest(/exactly one payload/));
    expect(await send(socket, 'sync:since', { since: { epoch: 'e', version: 0, userId: 'someone-else' } })).toEqual(badRequest(/userId/));
    expect(
      await send(socket, 'watch:report', { seq: 1, videoId: 'v', positionSec: 700, durationSec: 600, at: Date.now(), kind: 'progress' }),
    ).toEqual(badRequest(/positionSec/));

    const state = await ok(socket, 'sync:since', { since: null });
    expect(state.sync).toMatchObject({ version: 0 });
    expect(await ok(socket, 'cart:add', line)).toMatchObject({ version: 1, duplicate: false });
  });

  it('answers unknown events with bad_request, tolerates a missing ack and survives an "error" event', async () => {
    const socket = await user('ivan');
    expect(await send(socket, 'cart:explode', {})).toEqual(badRequest(/unknown event/));
    expect(await send(socket, 'error', { boom: true })).toEqual(badRequest(/unknown event/));
    expect(await send(socket, '__proto__', {})).toEqual(badRequest(/unknown event/));
    const raw = socket as unknown as { emit(event: string, ...args: unknown[]): void };
    raw.emit('cart:add', { seq: 1, sku: 'no-ack', title: 'T', priceCents: 1, qty: 1 });
    raw.emit('devices:list');
    expect(await ok(socket, 'cart:add', { seq: 2, sku: 'acked', title: 'T', priceCents: 1, qty: 1 })).toMatchObject({ version: 2 });
    expect(socket.connected).toBe(true);
  });

  it('ends a connection superseded by a newer one of the same device (its writes are refused meanwhile)', async () => {
    const old = await user('jade', 'jade-phone');
    const endings: string[] = [];
    old.on('session:ending', (e) => endings.push(e.reason));
    const gone = new Promise<string>((resolve) => old.once('disconnect', resolve));
    const newer = await user('jade', 'jade-phone');
    expect(await gone).toBe('io server disconnect');
    expect(endings).toEqual(['superseded']);
    expect(await ok(newer, 'cart:add', { seq: 1, sku: 's', title: 'T', priceCents: 1, qty: 1 })).toMatchObject({ duplicate: false });
  });
});

describe('account limits', () => {
  it('refuses a device past the cap with forbidden while all the others are online', async () => {
    await Promise.all(['olive-1', 'olive-2', 'olive-3'].map((d) => user('olive', d)));
    const token = await mintToken({ userId: 'olive', deviceId: 'olive-4' });
    expect(await refusal(node.url, { token, deviceId: 'olive-4' })).toMatchObject({ code: 'forbidden' });
  });
});

describe('abuse', () => {
  it('closes only the socket that sends an oversized message', async () => {
    const bystander = await user('kate');
    const offender = await user('liam');
    const closed = disconnected(offender);
    offender.emit('cart:add', { seq: 1, sku: 'big', title: 'x'.repeat(4 * LIMITS.pushBytes), priceCents: 1, qty: 1 }, () => {});
    expect(await closed).toBe('transport close');
    expect(await ok(bystander, 'cart:add', { seq: 1, sku: 'fine', title: 'Fine', priceCents: 1, qty: 1 })).toMatchObject({ version: 1 });
  });

  it('slows down, then cuts off a flooding socket while other clients keep working', async () => {
    const bystander = await user('mona');
    const flooder = await user('nick');
    const ending = nextPush(flooder, 'session:ending');
    const closed = disconnected(flooder);
    const codes = new Map<string, number>();
    const count = (ack: unknown) => {
      const code = (ack as { ok: boolean; error?: { code: string } }).error?.code ?? 'ok';
      codes.set(code, (codes.get(code) ?? 0) + 1);
    };
    for (let i = 0; i < 400; i++) flooder.emit('devices:list', {}, count);

    expect(await ending).toMatchObject({ reason: 'flood' });
    expect(await closed).toBe('transport close');
    expect(codes.get('rate_limited') ?? 0).toBeGreaterThan(0);
    expect(await ok(bystander, 'devices:list', {})).toMatchObject({ devices: [expect.objectContaining({ deviceId: 'mona-phone' })] });
  });
});

describe('origin check', () => {
  it('answers a foreign Origin with HTTP 403 before auth, and lets allowed and same-origin pages and non-browsers through', async () => {
    expect(await upgradeStatus(node.port, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(node.port, { origin: 'https://app.example' })).toBe(101);
    expect(await upgradeStatus(node.port, { origin: `http://127.0.0.1:${node.port}` })).toBe(101);
    expect(await upgradeStatus(node.port, {})).toBe(101);
  });
});

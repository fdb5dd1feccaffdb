import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { connect, nextPush, ok, send, type ClientSocket } from './helpers.ts';

let redis: RedisServer;
let node: GatewayProcess;
const sockets: ClientSocket[] = [];

async function device(userId: string, deviceId: string, protocol?: number) {
  const token = await mintToken({ userId, deviceId });
  const socket = await connect(node.url, protocol === undefined ? { token, deviceId } : { token, deviceId, auth: { token, deviceId, protocol } });
  sockets.push(socket);
  return socket;
}

const add = (seq: number, sku = 'a', title = 'A') => ({ event: 'cart:add', request: { seq, sku, title, priceCents: 1, qty: 1 } });
const badRequest = (message: RegExp) => ({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(message) } });

beforeAll(async () => {
  redis = await startRedis();
  node = await startGateway({ redisUrl: redis.url, nodeId: 'pusher', env: { RATE_LIMIT_PER_SEC: '1', RATE_LIMIT_BURST: '150' } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await node?.kill();
  await redis?.stop();
});

describe('mutations:push', () => {
  it('applies a push in order, answers each result, and pushes each change to the other devices', async () => {
    const phone = await device('pia', 'pia-phone');
    const laptop = await device('pia', 'pia-laptop');
    await ok(laptop, 'sync:since', { since: null });
    const pushed: number[] = [];
    laptop.on('change', (change) => pushed.push(change.seq));
    const answer = await send(phone, 'mutations:push', { mutations: [add(1), add(2, 'b'), { event: 'cart:set', request: { seq: 3, sku: 'a', qty: 5 } }] });
    expect(answer).toMatchObject({ ok: true, applied: 3, results: [{ version: 1 }, { version: 2 }, { version: 3 }] });
    await nextPush(laptop, 'change', (c) => c.seq === 3);
    expect(pushed).toEqual([1, 2, 3]);
  });

  it('answers the applied part and the refusal of the next mutation, trying none after it', async () => {
    const phone = await device('quinn', 'quinn-phone');
    const answer = await send(phone, 'mutations:push', { mutations: [add(1), { event: 'cart:set', request: { seq: 2, sku: 'zz', qty: 1 } }, add(3)] });
    expect(answer).toMatchObject({ ok: true, applied: 1, results: [{ version: 1 }], error: { code: 'not_found' } });
    const sync = await ok(phone, 'sync:since', { since: null });
    expect(sync.sync.version).toBe(1);
  });

  it('charges the rate limit per mutation', async () => {
    const phone = await device('rhea', 'rhea-phone');
    const first = await send(phone, 'mutations:push', { mutations: Array.from({ length: 100 }, (_, i) => add(i + 1)) });
    expect(first).toMatchObject({ ok: true, applied: 100 });
    const second = (await send(phone, 'mutations:push', { mutations: Array.from({ length: 100 }, (_, i) => add(i + 101)) })) as { applied: number; error?: { code: string } };
    expect(second.applied).toBeLessThan(100);
    expect(second.error?.code).toBe('rate_limited');
  });

  it('refuses a push that is empty, too long, too large or holds an invalid mutation, applying none of it', async () => {
    const phone = await device('sol', 'sol-phone');
    expect(await send(phone, 'mutations:push', { mutations: [] })).toMatchObject(badRequest(/mutations/));
    const tooMany = Array.from({ length: LIMITS.pushMutations + 1 }, (_, i) => add(i + 1));
    expect(await send(phone, 'mutations:push', { mutations: tooMany })).toMatchObject(badRequest(/mutations/));
    const heavy = Array.from({ length: 100 }, (_, i) => add(i + 1, `s${i}`, '€'.repeat(LIMITS.titleLength)));
    expect(await send(phone, 'mutations:push', { mutations: heavy })).toMatchObject(badRequest(/bytes/));
    expect(await send(phone, 'mutations:push', { mutations: [add(1), { event: 'cart:explode', request: { seq: 2 } }] })).toMatchObject(badRequest(/event/));
    expect(await send(phone, 'mutations:push', { mutations: [add(1), add(2, 'b', '')] })).toMatchObject(badRequest(/title/));
    expect(await send(phone, 'mutations:push', { mutations: [add(1)], extra: true })).toMatchObject(badRequest(/extra/));
    expect((await ok(phone, 'sync:since', { since: null })).sync.version).toBe(0);
  });

  it('still serves the single-mutation events to a protocol-1 client', async () => {
    const phone = await device('tess', 'tess-phone', 1);
    expect(await ok(phone, 'cart:add', { seq: 1, sku: 'a', title: 'A', priceCents: 1, qty: 1 })).toMatchObject({ version: 1, duplicate: false });
  });
});

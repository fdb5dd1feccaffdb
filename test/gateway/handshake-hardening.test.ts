import { createHmac } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../client-sdk/src/protocol/index.ts';
import { TEST_JWT_SECRET, mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { connect, ok, refusal, send, type ClientSocket } from './helpers.ts';
import { connectPacket, openRaw } from './raw-engine-io.ts';

let node: GatewayProcess;
let strict: GatewayProcess;
const sockets: ClientSocket[] = [];
const nowSec = () => Math.floor(Date.now() / 1000);
const auth = (token: string, deviceId: string) => ({ token, deviceId, protocol: PROTOCOL_VERSION });

/** Signs any payload text with the test secret (jose cannot write `exp: 1e400`). */
function rawToken(payloadJson: string): string {
  const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(payloadJson).toString('base64url');
  const sig = createHmac('sha256', TEST_JWT_SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

beforeAll(async () => {
  [node, strict] = await Promise.all([
    startGateway({ nodeId: 'hs-harden', env: { HTTP_HEADERS_TIMEOUT_MS: '1000', RATE_LIMIT_PER_SEC: '5', RATE_LIMIT_BURST: '5' } }),
    startGateway({ nodeId: 'hs-strict', env: { JWT_REQUIRE_DEVICE: 'true', JWT_MAX_LIFETIME_SEC: '3600' } }),
  ]);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([node?.kill(), strict?.kill()]);
});

describe('handshake floods', () => {
  it('closes the connection on the first refused CONNECT: 50 pipelined bad handshakes get at most one answer', async () => {
    const raw = await openRaw(node.url);
    for (let i = 0; i < 50; i++) raw.send(connectPacket(auth(`bad-token-${i}`, 'flood')));
    await raw.closed;
    expect(raw.packets.filter((p) => p.startsWith('4')).length).toBeLessThanOrEqual(1);
    // One at a time, each bad CONNECT on a fresh connection is answered, then its connection closed.
    const single = await openRaw(node.url);
    single.send(connectPacket(auth('bad-token', 'flood')));
    await single.closed;
    expect(single.packets.map((p) => JSON.parse(p.slice(1)) as unknown)).toEqual([expect.objectContaining({ data: expect.objectContaining({ code: 'unauthorized' }) })]);
  });

  it('carries one CONNECT per connection: a second one, pipelined before the first completed, closes the connection', async () => {
    // Both tokens first, so the two CONNECTs leave in the same tick: truly pipelined.
    const [first, second] = await Promise.all([mintToken({ userId: 'pipe-1' }), mintToken({ userId: 'pipe-2' })]);
    const raw = await openRaw(node.url);
    raw.send(connectPacket(auth(first, 'p1')));
    raw.send(connectPacket(auth(second, 'p2')));
    await raw.closed;
    expect(raw.packets.filter((p) => p.startsWith('0'))).toEqual([]);
  });

  it('still lets a legitimate client connect after the floods', async () => {
    const socket = await connect(node.url, { token: await mintToken({ userId: 'legit', deviceId: 'l1' }), deviceId: 'l1' });
    sockets.push(socket);
    expect(socket.connected).toBe(true);
  });
});

describe('token lifetime and claims', () => {
  it('refuses exp: 1e400 (Infinity once parsed) and a lifetime beyond JWT_MAX_LIFETIME_SEC, accepts one within it', async () => {
    const infinite = rawToken(`{"sub":"ivy","iat":${nowSec()},"exp":1e400}`);
    expect(await refusal(node.url, { token: infinite, deviceId: 'ivy-1' })).toMatchObject({ code: 'unauthorized' });
    const tooLong = await mintToken({ userId: 'ivy', ttlSec: 86_400 + 120 });
    expect(await refusal(node.url, { token: tooLong, deviceId: 'ivy-1' })).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('JWT_MAX_LIFETIME_SEC') });
    const dayLong = await connect(node.url, { token: await mintToken({ userId: 'ivy', ttlSec: 86_000 }), deviceId: 'ivy-1' });
    sockets.push(dayLong);
    expect(dayLong.connected).toBe(true);
    const noIat = rawToken(`{"sub":"ivy","exp":${nowSec() + 2 * 86_400}}`);
    expect(await refusal(node.url, { token: noIat, deviceId: 'ivy-1' })).toMatchObject({ code: 'unauthorized' });
  });

  it('with JWT_REQUIRE_DEVICE a token needs did, and did binds the session to its device', async () => {
    expect(await refusal(strict.url, { token: await mintToken({ userId: 'dora' }), deviceId: 'dora-1' })).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('did') });
    expect(await refusal(strict.url, { token: await mintToken({ userId: 'dora', deviceId: 'dora-1' }), deviceId: 'dora-2' })).toMatchObject({ code: 'unauthorized' });
    const bound = await connect(strict.url, { token: await mintToken({ userId: 'dora', deviceId: 'dora-1' }), deviceId: 'dora-1' });
    sockets.push(bound);
    expect((await ok(bound, 'cart:add', { seq: 1, sku: 'a', title: 'A', priceCents: 1, qty: 1 })).change?.version).toBe(1);
  });

  it('connects with a whole-second-iat token minted in the same second as a sign-out everywhere, after it', async () => {
    const first = await connect(node.url, { token: await mintToken({ userId: 'newt', deviceId: 'n1' }), deviceId: 'n1' });
    const { revokedAt } = await ok(first, 'auth:sign-out', { scope: 'everywhere' });
    first.close();
    // jose's setIssuedAt() writes whole seconds: this token was minted after the sign-out, in its second.
    const fresh = await mintToken({ userId: 'newt', deviceId: 'n1', issuedAt: Math.floor(revokedAt / 1000) });
    const again = await connect(node.url, { token: fresh, deviceId: 'n1' });
    sockets.push(again);
    expect(again.connected).toBe(true);
    // A token from the second before the sign-out stays revoked.
    const older = await mintToken({ userId: 'newt', deviceId: 'n1', issuedAt: Math.floor(revokedAt / 1000) - 1 });
    expect(await refusal(node.url, { token: older, deviceId: 'n1' })).toMatchObject({ code: 'unauthorized' });
  });

  it('refuses a device name with a lone surrogate, as it refuses such a cart title', async () => {
    const token = await mintToken({ userId: 'sue', deviceId: 's1' });
    expect(await refusal(node.url, { token, deviceId: 's1', deviceName: 'pho\uD800ne' })).toMatchObject({ code: 'bad_request' });
    const fine = await connect(node.url, { token, deviceId: 's1', deviceName: 'phone 📱' });
    sockets.push(fine);
    expect(fine.connected).toBe(true);
  });
});

describe('slow and flooding clients', () => {
  it('drops a connection that drips its headers once HTTP_HEADERS_TIMEOUT_MS passes (slowloris)', async () => {
    const socket = tcpConnect(node.port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    let stop = false;
    void (async () => {
      for (let i = 0; i < 200 && !stop; i++) {
        await new Promise((r) => setTimeout(r, 100));
        if (!socket.destroyed) socket.write(`X-Drip-${i}: y\r\n`);
      }
    })();
    await closed;
    stop = true;
    expect(socket.destroyed).toBe(true);
  }, 15_000);

  it('ends a flooding socket once and logs it once', async () => {
    const socket = await connect(node.url, { token: await mintToken({ userId: 'flo', deviceId: 'f1' }), deviceId: 'f1' });
    const requests = Array.from({ length: 300 }, () => send(socket, 'devices:list', {}).catch(() => null));
    await new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    await Promise.allSettled(requests);
    const cutOff = node.logs().filter((line) => line.includes('flood: connection cut off') && line.includes('"flo"'));
    expect(cutOff).toHaveLength(1);
  });
});

import { PROTOCOL_VERSION } from '../../client-sdk/src/protocol/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { connect, ok, refusal, upgradeStatus, type ClientSocket } from './helpers.ts';

const COOKIE = 'tandem_session';
const SHOP = 'https://shop.example';
let node: GatewayProcess;
let plain: GatewayProcess;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  [node, plain] = await Promise.all([
    startGateway({ env: { AUTH_COOKIE_NAME: COOKIE, CORS_ORIGINS: SHOP } }),
    startGateway({ env: { CORS_ORIGINS: SHOP } }),
  ]);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([node?.stop(), plain?.stop()]);
});

/** A browser's upgrade on the shop's page: no token in the payload, the cookie and the page's Origin in headers. */
const cookieAuth = (deviceId: string) => ({ auth: { deviceId, protocol: PROTOCOL_VERSION }, token: '', deviceId });
const headers = (token: string, origin = SHOP) => ({ cookie: `theme=dark; ${COOKIE}=${token}; other=1`, origin });

describe('web sessions by cookie (AUTH_COOKIE_NAME)', () => {
  it('accepts the JWT from the cookie on an allowed Origin, as the same user and device as a bearer token', async () => {
    const token = await mintToken({ userId: 'cookie-user' });
    const laptop = await connect(node.url, { ...cookieAuth('laptop'), extraHeaders: headers(token) });
    sockets.push(laptop);
    const added = await ok(laptop, 'cart:add', { seq: 1, sku: 'tea', title: 'Tea', priceCents: 350, qty: 1 });
    expect(added.version).toBe(1);
    const phone = await connect(node.url, { token, deviceId: 'phone' });
    sockets.push(phone);
    const synced = await ok(phone, 'sync:since', { since: null });
    expect(synced.sync.kind === 'snapshot' && synced.sync.state.cart.map((l) => l.sku)).toEqual(['tea']);
  });

  it("refuses a foreign page's upgrade carrying the cookie (cross-site WebSocket hijacking) before any handshake", async () => {
    const token = await mintToken({ userId: 'cookie-user' });
    expect(await upgradeStatus(node.port, headers(token, 'https://evil.example'))).toBe(403);
    expect(await upgradeStatus(node.port, headers(token, 'null'))).toBe(403);
    expect(await upgradeStatus(node.port, headers(token, 'https://shop.example.evil.example'))).toBe(403);
    expect(await upgradeStatus(node.port, headers(token))).toBe(101);
    // Through socket.io too: the connection never opens.
    const hijack = connect(node.url, { ...cookieAuth('stolen'), extraHeaders: headers(token, 'https://evil.example') });
    await expect(hijack).rejects.toThrow();
  });

  it('verifies a cookie token like any other: expired (token_expired), forged and revoked (unauthorized) ones are refused', async () => {
    const expired = await mintToken({ userId: 'cookie-user', expiresAt: Math.floor(Date.now() / 1000) - 60 });
    expect(await refusal(node.url, { ...cookieAuth('laptop'), extraHeaders: headers(expired) })).toMatchObject({ code: 'token_expired' });
    const forged = `${(await mintToken({ userId: 'cookie-user' })).slice(0, -4)}AAAA`;
    expect(await refusal(node.url, { ...cookieAuth('laptop'), extraHeaders: headers(forged) })).toMatchObject({ code: 'unauthorized' });
    const token = await mintToken({ userId: 'revoked-user' });
    const tv = await connect(node.url, { ...cookieAuth('tv'), extraHeaders: headers(token) });
    sockets.push(tv);
    await ok(tv, 'auth:sign-out', { scope: 'everywhere' });
    expect(await refusal(node.url, { ...cookieAuth('tv'), extraHeaders: headers(token) })).toMatchObject({ code: 'unauthorized' });
  });

  it('takes the bearer token of the payload over the cookie, and says where a missing token goes', async () => {
    const mine = await mintToken({ userId: 'bearer-user' });
    const other = await mintToken({ userId: 'cookie-user' });
    const socket = await connect(node.url, { token: mine, deviceId: 'laptop', extraHeaders: headers(other) });
    sockets.push(socket);
    const devices = await ok(socket, 'devices:list', {});
    expect(devices.devices.map((d) => d.deviceId)).toEqual(['laptop']);
    const missing = await refusal(node.url, { ...cookieAuth('laptop'), extraHeaders: { origin: SHOP } });
    expect(missing).toMatchObject({ code: 'unauthorized' });
    expect(missing.message).toContain(COOKIE);
  });

  it('ignores the cookie on a node without AUTH_COOKIE_NAME', async () => {
    const token = await mintToken({ userId: 'cookie-user' });
    expect(await refusal(plain.url, { ...cookieAuth('laptop'), extraHeaders: headers(token) })).toMatchObject({ code: 'unauthorized' });
  });
});

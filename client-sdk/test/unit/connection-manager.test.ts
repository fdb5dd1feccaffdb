import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnectionManager, type SessionHooks } from '../../src/connection/connection-manager.ts';
import { createConnectionStateMachine } from '../../src/connection/state.ts';
import type { SyncClientError } from '../../src/errors.ts';
import { PROTOCOL_VERSION } from '../../src/protocol/index.ts';
import { createTokenManager } from '../../src/token/token-manager.ts';
import { systemTimers } from '../../src/util/timers.ts';
import { fakeIo, type FakeSocket } from '../support/fake-socket.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
let minted = 0;
/** A token valid for `ttlSec`, numbered so tests can tell fresh ones apart. */
const jwt = (ttlSec: number) => {
  const now = Date.now() / 1000;
  return `${b64url({ alg: 'HS256' })}.${b64url({ sub: 'u', iat: now, exp: now + ttlSec, n: ++minted })}.sig`;
};

function setup(options: { urls?: string[]; ttlSec?: number; random?: () => number } = {}) {
  const fake = fakeIo();
  const timers = systemTimers();
  const machine = createConnectionStateMachine({ status: 'connecting', url: options.urls?.[0] ?? 'http://a', attempt: 0 });
  const statuses: string[] = [];
  machine.onStatus((s) => statuses.push(s.status));
  const getToken = vi.fn(() => jwt(options.ttlSec ?? 3600));
  const tokens = createTokenManager({ getToken, timers, toServerTime: (t) => t });
  const errors: SyncClientError[] = [];
  const unauthorized = vi.fn();
  const session: SessionHooks = {
    attach: vi.fn(),
    open: vi.fn(async () => ({ nodeId: 'n' })),
    closed: vi.fn(),
  };
  const manager = createConnectionManager({
    urls: options.urls ?? ['http://a', 'http://b'],
    io: fake.io,
    handshake: () => ({ deviceId: 'phone' }),
    tokens,
    machine,
    timers,
    random: options.random ?? (() => 0.5),
    backoff: { baseMs: 100, capMs: 1000 },
    connectTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    session,
    onError: (e) => errors.push(e),
    onUnauthorized: unauthorized,
  });
  /** Lets the manager's awaits (token fetch, session open) run. */
  const settle = () => vi.advanceTimersByTimeAsync(0);
  const connected = async (socket: FakeSocket) => {
    socket.accept();
    await settle();
  };
  return { fake, machine, statuses, manager, getToken, errors, unauthorized, session, settle, connected };
}

describe('connection manager', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connects with websocket only, its own reconnection and the handshake auth', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    const socket = t.fake.last();
    expect(socket.url).toBe('http://a');
    expect(socket.options).toMatchObject({ transports: ['websocket'], forceNew: true, reconnection: false });
    expect(socket.options.auth).toMatchObject({ deviceId: 'phone', protocol: PROTOCOL_VERSION });
    await t.connected(socket);
    expect(t.machine.state).toEqual({ status: 'connected', url: 'http://a', nodeId: 'n' });
    expect(t.manager.socket).toBe(socket);
  });

  it('backs off with full jitter and rotates through the URLs', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    t.fake.last().refuse();
    expect(t.machine.state).toMatchObject({ status: 'offline', reason: 'network', attempt: 0, retryAt: Date.now() + 50 });
    await vi.advanceTimersByTimeAsync(49);
    expect(t.fake.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.fake.last().url).toBe('http://b');
    t.fake.last().refuse();
    expect(t.machine.state).toMatchObject({ attempt: 1, retryAt: Date.now() + 100 });
    await vi.advanceTimersByTimeAsync(100);
    expect(t.fake.last().url).toBe('http://a');
    await t.connected(t.fake.last());
    expect(t.statuses).toEqual(['offline', 'connecting', 'offline', 'connecting', 'connected']);
  });

  it('reconnects to the next node after a drop, once', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    await t.connected(t.fake.last());
    t.fake.last().drop();
    expect(t.session.closed).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(t.fake.sockets.map((s) => s.url)).toEqual(['http://a', 'http://b']);
  });

  it('obeys a drain hint: stays until the given delay, then moves to another node', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    const first = t.fake.last();
    await t.connected(first);
    first.fire('session:ending', { reason: 'drain', message: 'bye', reconnectAfterMs: 2000 });
    await vi.advanceTimersByTimeAsync(1999);
    expect(first.connected).toBe(true);
    expect(t.fake.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.connected).toBe(false);
    expect(t.fake.last().url).toBe('http://b');
  });

  it('after a drain, moves to a random other node rather than the next one, never staying on the drained one', async () => {
    const draws = [0.9, 0.1];
    const t = setup({ urls: ['http://a', 'http://b', 'http://c'], random: () => draws.shift() ?? 0.5 });
    t.manager.start();
    await t.settle();
    for (let round = 0; round < 2; round++) {
      const current = t.fake.last();
      await t.connected(current);
      current.fire('session:ending', { reason: 'drain', message: 'bye', reconnectAfterMs: 10 });
      await vi.advanceTimersByTimeAsync(10);
    }
    // 0.9 of the two others of a is c (not the next one, b); 0.1 of the two others of c is a.
    expect(t.fake.sockets.map((s) => s.url)).toEqual(['http://a', 'http://c', 'http://a']);
  });

  it('waits for the drain delay even when the node closes the connection earlier', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    await t.connected(t.fake.last());
    t.fake.last().fire('session:ending', { reason: 'drain', message: 'bye', reconnectAfterMs: 3000 });
    t.fake.last().drop();
    expect(t.machine.state).toMatchObject({ status: 'offline', reason: 'drain' });
    await vi.advanceTimersByTimeAsync(2999);
    expect(t.fake.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.fake.sockets).toHaveLength(2);
  });

  it('stops for good when the session is revoked', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    await t.connected(t.fake.last());
    t.fake.last().fire('session:ending', { reason: 'revoked', message: 'signed out' });
    t.fake.last().drop('io server disconnect');
    expect(t.machine.state.status).toBe('unauthorized');
    expect(t.unauthorized).toHaveBeenCalledWith(expect.objectContaining({ code: 'unauthorized' }), 'revoked');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fake.sockets).toHaveLength(1);
  });

  it('goes offline (superseded) without reconnecting when a newer connection of the device took over, until goOnline', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    await t.connected(t.fake.last());
    t.fake.last().fire('session:ending', { reason: 'superseded', message: 'taken over' });
    t.fake.last().drop('io server disconnect');
    expect(t.machine.state).toMatchObject({ status: 'offline', reason: 'superseded', retryAt: null });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fake.sockets).toHaveLength(1);
    t.manager.goOnline();
    await t.settle();
    expect(t.fake.sockets).toHaveLength(2);
  });

  it('reconnects at once with a fresh token after the server ends an expired session', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    const first = t.fake.last();
    await t.connected(first);
    first.fire('session:ending', { reason: 'token_expired', message: 'expired' });
    first.drop();
    await t.settle();
    expect(t.fake.sockets).toHaveLength(2);
    expect(t.fake.last().token).not.toBe(first.token);
    expect(t.getToken).toHaveBeenCalledTimes(2);
  });

  it('retries a refused cached token once with a fresh one, then reports unauthorized and stops', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    await t.connected(t.fake.last());
    t.fake.last().drop();
    await vi.advanceTimersByTimeAsync(50);
    t.fake.last().refuse({ code: 'unauthorized', message: 'revoked' });
    await t.settle();
    expect(t.fake.sockets).toHaveLength(3);
    expect(t.getToken).toHaveBeenCalledTimes(2);
    t.fake.last().refuse({ code: 'unauthorized', message: 'revoked' });
    expect(t.machine.state.status).toBe('unauthorized');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fake.sockets).toHaveLength(3);
  });

  it('refreshes the token on the open connection before it expires', async () => {
    const t = setup({ ttlSec: 40 });
    t.manager.start();
    await t.settle();
    const socket = t.fake.last();
    await t.connected(socket);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(socket.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.requests.map((r) => r.event)).toEqual(['auth:refresh']);
    const refresh = socket.requests[0];
    expect((refresh?.payload as { token: string }).token).not.toBe(socket.token);
    refresh?.ack(null, { ok: true, expiresAt: Date.now() + 40_000 });
    await t.settle();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(socket.requests.map((r) => r.event)).toEqual(['auth:refresh', 'auth:refresh']);
    expect(t.fake.sockets).toHaveLength(1);
    expect(t.statuses).toEqual(['connected']);
  });

  it('goes unauthorized when the server refuses a fresh token in a refresh', async () => {
    const t = setup({ ttlSec: 40 });
    t.manager.start();
    await t.settle();
    await t.connected(t.fake.last());
    await vi.advanceTimersByTimeAsync(30_000);
    t.fake.last().requests[0]?.ack(null, { ok: false, error: { code: 'unauthorized', message: 'revoked' } });
    await t.settle();
    expect(t.machine.state.status).toBe('unauthorized');
  });

  it('stays offline on request and connects again on request', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    await t.connected(t.fake.last());
    t.manager.goOffline();
    expect(t.machine.state).toMatchObject({ status: 'offline', reason: 'manual' });
    expect(t.fake.last().connected).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fake.sockets).toHaveLength(1);
    t.manager.goOnline();
    await t.settle();
    expect(t.fake.sockets).toHaveLength(2);
  });

  it('goes offline on request during a backoff, with no retry left armed', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    t.fake.last().refuse();
    expect(t.machine.state).toMatchObject({ status: 'offline', reason: 'network' });
    t.manager.goOffline();
    expect(t.machine.state).toEqual({ status: 'offline', reason: 'manual', attempt: 0, retryAt: null });
    t.manager.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fake.sockets).toHaveLength(1);
    expect(t.statuses).toEqual(['offline', 'offline']);
  });

  it('does nothing more once closed', async () => {
    const t = setup();
    t.manager.start();
    await t.settle();
    t.manager.close();
    t.fake.last().refuse();
    t.manager.goOnline();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fake.sockets).toHaveLength(1);
    expect(t.statuses).toEqual(['closed']);
  });
});

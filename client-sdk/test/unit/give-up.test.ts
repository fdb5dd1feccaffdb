import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnectionManager } from '../../src/connection/connection-manager.ts';
import { GIVE_UP_AFTER } from '../../src/connection/give-up.ts';
import { createConnectionStateMachine } from '../../src/connection/state.ts';
import type { SyncClientError } from '../../src/errors.ts';
import { createTokenManager } from '../../src/token/token-manager.ts';
import { systemTimers } from '../../src/util/timers.ts';
import { fakeIo } from '../support/fake-socket.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (expSec: number) => `${b64url({ alg: 'HS256' })}.${b64url({ sub: 'u', exp: expSec })}.sig`;

function setup(getToken: () => string) {
  const fake = fakeIo();
  const timers = systemTimers();
  const machine = createConnectionStateMachine({ status: 'connecting', url: 'http://a', attempt: 0 });
  const unauthorized = vi.fn<(error: SyncClientError) => void>();
  const errors: SyncClientError[] = [];
  const manager = createConnectionManager({
    urls: ['http://a'],
    io: fake.io,
    handshake: () => ({ deviceId: 'phone' }),
    tokens: createTokenManager({ getToken, timers, toServerTime: (t) => t }),
    machine,
    timers,
    random: () => 0.5,
    backoff: { baseMs: 100, capMs: 1000 },
    connectTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    session: { attach: vi.fn(), open: vi.fn(async () => ({ nodeId: 'n' })), closed: vi.fn() },
    onError: (e) => errors.push(e),
    onUnauthorized: unauthorized,
  });
  return { fake, machine, manager, unauthorized, errors };
}

describe('giving up on what retrying cannot fix', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it(`stops as unauthorized, with the cause, after ${GIVE_UP_AFTER} getToken failures in a row`, async () => {
    const t = setup(() => {
      throw new Error('backend down');
    });
    t.manager.start();
    await vi.advanceTimersByTimeAsync(10_000);
    // Two failures reported while the client still retried, then it stopped on the third.
    expect(t.errors.map((e) => e.message)).toEqual(Array(GIVE_UP_AFTER - 1).fill('getToken failed (backend down)'));
    expect(t.machine.state.status).toBe('unauthorized');
    const error = t.unauthorized.mock.calls[0]?.[0];
    expect(error).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/^getToken failed 3 times in a row \(backend down\)/) });
    expect((error?.cause as Error).message).toBe('backend down');
  });

  it('stops once a backend keeps handing out tokens the server finds expired', async () => {
    const getToken = vi.fn(() => jwt(Date.now() / 1000 - 60));
    const t = setup(getToken);
    t.manager.start();
    for (let i = 0; i < 10 && t.machine.state.status !== 'unauthorized'; i++) {
      await vi.advanceTimersByTimeAsync(0);
      t.fake.last().refuse({ code: 'token_expired', message: 'token expired' });
      await vi.advanceTimersByTimeAsync(5_000);
    }
    expect(t.machine.state.status).toBe('unauthorized');
    expect(t.unauthorized.mock.calls[0]?.[0]).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/tokens in a row that the server refused as expired/) });
    expect(t.fake.sockets.length).toBeLessThanOrEqual(2 * GIVE_UP_AFTER);
  });

  it('surfaces a refused Origin (HTTP 403 before socket.io) as forbidden and does not retry', async () => {
    const t = setup(() => jwt(Date.now() / 1000 + 3600));
    t.manager.start();
    await vi.advanceTimersByTimeAsync(0);
    t.fake.last().fire('connect_error', Object.assign(new Error('websocket error'), { description: { message: 'Unexpected server response: 403' } }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fake.sockets).toHaveLength(1);
    expect(t.machine.state.status).toBe('unauthorized');
    expect(t.unauthorized.mock.calls[0]?.[0]).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/Origin is not allowed; add it to the node's CORS_ORIGINS/) });
  });
});

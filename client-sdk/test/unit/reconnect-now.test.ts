import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSyncClient, memoryStorage, type SyncClient } from '../../src/index.ts';
import { fakeIo } from '../support/fake-socket.ts';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = `${b64url({ alg: 'HS256' })}.${b64url({ sub: 'ana', exp: Date.now() / 1000 + 3600 })}.sig`;

const made: SyncClient[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((c) => c.close()));
});

/** A client whose reconnect backoff waits a minute, so only `reconnectNow()` can bring a second attempt soon. */
function slowRetryingClient() {
  const wire = fakeIo();
  const client = createSyncClient({
    url: 'http://gw',
    getToken: () => token,
    deviceId: 'phone',
    io: wire.io,
    storage: memoryStorage(),
    backoff: { baseMs: 60_000, capMs: 60_000 },
  });
  made.push(client);
  return { client, wire };
}

/** One turn of the event loop: the client's calls run after its storage has loaded. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('reconnectNow', () => {
  it('connects at once when the client waits for a retry after a lost connection', async () => {
    const { client, wire } = slowRetryingClient();
    await vi.waitFor(() => expect(wire.sockets).toHaveLength(1));
    wire.last().refuse();
    await vi.waitFor(() => expect(client.connection).toMatchObject({ status: 'offline', reason: 'network' }));
    client.reconnectNow();
    await vi.waitFor(() => expect(wire.sockets).toHaveLength(2));
    expect(client.status).toBe('connecting');
  });

  it('leaves a client that went offline on purpose offline', async () => {
    const { client, wire } = slowRetryingClient();
    await vi.waitFor(() => expect(wire.sockets).toHaveLength(1));
    client.goOffline();
    client.reconnectNow();
    await turn();
    await turn();
    expect(wire.sockets).toHaveLength(1);
    expect(client.connection).toMatchObject({ status: 'offline', reason: 'manual' });
  });
});

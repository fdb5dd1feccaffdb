import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, TEST_API_KEYS } from '../admin/admin-node.ts';
import { connect, ok, type ClientSocket } from '../gateway/helpers.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { poll } from '../support/timing.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/** Webhooks end to end: real Redis, two real gateway processes, real receivers verifying with standardwebhooks. */
const env = {
  API_KEYS: TEST_API_KEYS,
  RATE_LIMIT_PER_SEC: '1000',
  RATE_LIMIT_BURST: '1000',
  WEBHOOKS_ALLOW_HTTP: 'true',
  WEBHOOKS_ALLOW_PRIVATE: 'true',
  WEBHOOK_DEBOUNCE_MS: '200',
  WEBHOOK_DISCONNECT_GRACE_MS: '300',
  WEBHOOK_RETRY_SCHEDULE: '0,100,200,300',
  WEBHOOKS_PULL: 'true',
};
const user = () => `wh-${randomBytes(5).toString('hex')}`;
const line = (sku: string, qty = 1) => ({ sku, title: `Item ${sku}`, priceCents: 250, qty });

interface Payload {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { userId: string };
}
const payloads = (r: WebhookReceiver, userId: string) =>
  r.events().map((d) => d.payload as Payload).filter((p) => p.data.userId === userId);

describe('webhooks on real gateway processes', () => {
  let redis: RedisServer;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let receiver: WebhookReceiver;
  let endpointId = '';
  let firstSecret = '';
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    [a, b] = await Promise.all([
      startGateway({ redisUrl: redis.url, nodeId: 'wh-a', env }),
      startGateway({ redisUrl: redis.url, nodeId: 'wh-b', env }),
    ]);
    receiver = await startWebhookReceiver({ secrets: [] });
    const created = await api<{ id: string; secret: string }>(a.adminUrl, 'POST', '/v1/webhooks', {
      body: { url: receiver.url, events: ['cart.updated', 'cart.checkout.completed', 'device.connected', 'device.disconnected', 'user.erased'], description: 'test' },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    endpointId = created.body.id;
    firstSecret = created.body.secret;
    receiver.setSecrets([created.body.secret]);
    // Each node records events once it has seen the endpoint: wait until a device connected to each is announced.
    for (const node of [a, b]) {
      const probe = user();
      const socket = await connect(node.url, { token: await mintToken({ userId: probe }), deviceId: 'probe' });
      sockets.push(socket);
      await poll(() => payloads(receiver, probe).length > 0, { what: `an event recorded by ${node.nodeId}`, timeoutMs: 20_000 });
    }
  }, 90_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await receiver?.close();
    await redis?.stop();
  });

  const device = async (node: GatewayProcess, userId: string, deviceId: string) => {
    const socket = await connect(node.url, { token: await mintToken({ userId }), deviceId });
    sockets.push(socket);
    await ok(socket, 'sync:since', { since: null });
    return socket;
  };

  it('lists the endpoint on every node, without its secret', async () => {
    const listed = await api<{ endpoints: Array<Record<string, unknown>> }>(b.adminUrl, 'GET', '/v1/webhooks');
    expect(listed.body.endpoints.find((e) => e.id === endpointId)).toMatchObject({ url: receiver.url, source: 'api', disabled: null });
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
  });

  it('sends a burst of cart edits made on two nodes as one cart.updated with the cart and its version, signed', async () => {
    const id = user();
    const phone = await device(a, id, 'phone');
    const laptop = await device(b, id, 'laptop');
    await ok(phone, 'cart:add', { seq: 1, ...line('tea') });
    await ok(laptop, 'cart:add', { seq: 1, ...line('mug', 2) });
    const last = await ok(phone, 'cart:set', { seq: 2, sku: 'tea', qty: 3 });
    await expect.poll(() => payloads(receiver, id).filter((p) => p.type === 'cart.updated').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    const carts = payloads(receiver, id).filter((p) => p.type === 'cart.updated');
    const final = carts.at(-1);
    expect(final?.data).toMatchObject({ userId: id, version: last.version });
    expect(final?.data.cart).toEqual([
      { sku: 'mug', title: 'Item mug', priceCents: 250, qty: 2 },
      { sku: 'tea', title: 'Item tea', priceCents: 250, qty: 3 },
    ]);
    // Both devices' connections were announced before the cart, in order.
    const types = payloads(receiver, id).map((p) => p.type);
    expect(types.slice(0, 2)).toEqual(['device.connected', 'device.connected']);
    expect(receiver.unverified().filter((d) => d.verifyError !== 'no secret configured')).toEqual([]);
  });

  it('sends device.disconnected only when the device stays away past the grace', async () => {
    const id = user();
    const phone = await device(a, id, 'phone');
    const tablet = await device(b, id, 'tablet');
    phone.close();
    // The tablet comes back at once: a quick reconnect sends nothing for it.
    tablet.close();
    await device(a, id, 'tablet');
    await expect.poll(() => payloads(receiver, id).some((p) => p.type === 'device.disconnected'), { timeout: 20_000 }).toBe(true);
    const gone = payloads(receiver, id).filter((p) => p.type === 'device.disconnected').map((p) => p.data.deviceId);
    expect(gone).toEqual(['phone']);
  });

  it('sends the checkout and user.erased (after the erase) with ids the pull API answers too', async () => {
    const id = user();
    const phone = await device(a, id, 'phone');
    await ok(phone, 'cart:add', { seq: 1, ...line('pen') });
    const co = await api<{ checkoutId: string }>(b.adminUrl, 'POST', `/v1/users/${id}/cart/checkout`, { body: { ttlMs: 60_000 } });
    expect(co.status).toBe(201);
    expect((await api(a.adminUrl, 'POST', `/v1/users/${id}/cart/checkout/${co.body.checkoutId}/complete`, { body: {} })).status).toBe(200);
    expect((await api(a.adminUrl, 'DELETE', `/v1/users/${id}`)).status).toBe(200);
    await expect.poll(() => payloads(receiver, id).some((p) => p.type === 'user.erased'), { timeout: 20_000 }).toBe(true);
    const types = payloads(receiver, id).map((p) => p.type);
    expect(types.indexOf('cart.checkout.completed')).toBeGreaterThan(-1);
    expect(types.indexOf('cart.checkout.completed')).toBeLessThan(types.indexOf('user.erased'));
    const ids = receiver.events().filter((d) => (d.payload as Payload).data.userId === id).map((d) => d.id);
    const pulled: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      const res = await api<{ events: Array<{ id: string; data: { userId: string } }>; next: string }>(b.adminUrl, 'GET', `/v1/events?limit=500${after ? `&after=${after}` : ''}`);
      expect(res.status).toBe(200);
      pulled.push(...res.body.events.filter((e) => e.data.userId === id).map((e) => e.id));
      if (res.body.events.length === 0) break;
      after = res.body.next;
    }
    for (const eventId of ids) expect(pulled).toContain(eventId);
  });

  it('retries a delivery answered 500 on the schedule and still delivers each user\'s events in order', async () => {
    const id = user();
    let refused = 0;
    receiver.answer((d) => {
      const p = d.payload as Payload | null;
      if (p?.data.userId === id && refused < 2) {
        refused += 1;
        return { kind: 'status', status: 500 };
      }
      return { kind: 'status', status: 204 };
    });
    const phone = await device(a, id, 'phone');
    await ok(phone, 'cart:add', { seq: 1, ...line('cup') });
    await expect.poll(() => payloads(receiver, id).map((p) => p.type), { timeout: 20_000 }).toEqual(['device.connected', 'cart.updated']);
    expect(refused).toBe(2);
    receiver.answer({ kind: 'status', status: 204 });
    // Both nodes' /metrics together count the two refused attempts and the deliveries, by endpoint and outcome.
    const attempts = async (outcome: string) => {
      let sum = 0;
      for (const node of [a, b]) {
        const text = await (await fetch(`${node.adminUrl}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith('tandem_webhook_deliveries_total{') && l.includes(`endpoint="${endpointId}"`) && l.includes(`outcome="${outcome}"`));
        sum += line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
      }
      return sum;
    };
    expect(await attempts('retry')).toBeGreaterThanOrEqual(2);
    expect(await attempts('delivered')).toBeGreaterThanOrEqual(2);
  });

  it('signs with the old and the new secret during a rotation: a receiver holding either verifies', async () => {
    const rotated = (await api<{ secret: string }>(a.adminUrl, 'POST', `/v1/webhooks/${endpointId}/rotate`)).body.secret;
    expect(rotated).toMatch(/^whsec_/);
    for (const [n, secrets] of [[0, [rotated]], [1, [firstSecret]]] as const) {
      receiver.setSecrets([...secrets]);
      const id = user();
      await device(n === 0 ? b : a, id, 'phone');
      await expect.poll(() => payloads(receiver, id).length, { timeout: 20_000 }).toBe(1);
      const delivery = receiver.events().find((d) => (d.payload as Payload).data.userId === id);
      expect(delivery?.headers['webhook-signature']?.toString().split(' ')).toHaveLength(2);
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { generateSecret, signDelivery, type WebhookSecret } from '../../server/webhooks/signing.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await receiver?.close();
  receiver = null;
});

async function send(url: string, id: string, payload: unknown, secrets: WebhookSecret[], signal?: AbortSignal): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers = signDelivery({ id, body, secrets });
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, redirect: 'manual', signal });
}

describe('webhook receiver (test support)', () => {
  it('verifies a signed delivery with standardwebhooks and records it', async () => {
    const secret = generateSecret();
    receiver = await startWebhookReceiver({ secrets: [secret.text] });
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks$/);
    const res = await send(receiver.url, 'evt_1', { type: 'cart.updated', n: 1 }, [secret]);
    expect(res.status).toBe(204);
    const [event] = await receiver.waitForEvents(1);
    expect(event).toMatchObject({ id: 'evt_1', payload: { type: 'cart.updated', n: 1 }, verifiedBy: [0], verifyError: null });
    expect(receiver.unverified()).toEqual([]);
  });

  it('answers 401 to a delivery no secret verifies, and records it as unverified', async () => {
    receiver = await startWebhookReceiver({ secrets: [generateSecret().text] });
    const res = await send(receiver.url, 'evt_bad', { n: 1 }, [generateSecret()]);
    expect(res.status).toBe(401);
    expect(receiver.unverified()).toHaveLength(1);
    expect(receiver.unverified()[0]?.verifyError).toMatch(/signature/i);
    expect(receiver.events()).toEqual([]);
  });

  it('tells which secrets verified a delivery signed during a rotation', async () => {
    const oldSecret = generateSecret();
    const newSecret = generateSecret();
    receiver = await startWebhookReceiver({ secrets: [oldSecret.text, newSecret.text] });
    await send(receiver.url, 'evt_both', {}, [newSecret, oldSecret]);
    await send(receiver.url, 'evt_new', {}, [newSecret]);
    const events = await receiver.waitForEvents(2);
    expect(events.map((e) => e.verifiedBy)).toEqual([[0, 1], [1]]);
  });

  it('answers as told: 500, 410, 429 with Retry-After, a redirect, and per delivery', async () => {
    const secret = generateSecret();
    receiver = await startWebhookReceiver({ secrets: [secret.text] });
    receiver.answer({ kind: 'status', status: 500 });
    expect((await send(receiver.url, 'a', {}, [secret])).status).toBe(500);
    receiver.answer({ kind: 'status', status: 410 });
    expect((await send(receiver.url, 'b', {}, [secret])).status).toBe(410);
    receiver.answer({ kind: 'status', status: 429, retryAfter: '3' });
    const limited = await send(receiver.url, 'c', {}, [secret]);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    receiver.answer({ kind: 'status', status: 302, location: 'http://127.0.0.1:1/elsewhere' });
    const moved = await send(receiver.url, 'd', {}, [secret]);
    expect([moved.status, moved.headers.get('location')]).toEqual([302, 'http://127.0.0.1:1/elsewhere']);
    receiver.answer((d) => (d.index % 2 === 0 ? { kind: 'status', status: 503 } : { kind: 'status', status: 200 }));
    expect((await send(receiver.url, 'e', {}, [secret])).status).toBe(503);
    expect((await send(receiver.url, 'e', {}, [secret])).status).toBe(200);
    expect(receiver.deliveries).toHaveLength(6);
    expect(receiver.events().map((e) => e.id)).toEqual(['e']);
  });

  it('deduplicates events by webhook-id', async () => {
    const secret = generateSecret();
    receiver = await startWebhookReceiver({ secrets: [secret.text] });
    for (const id of ['x', 'y', 'x', 'z', 'y']) await send(receiver.url, id, { id }, [secret]);
    expect(receiver.accepted()).toHaveLength(5);
    expect(receiver.events().map((e) => e.id)).toEqual(['x', 'y', 'z']);
  });

  it('hangs without answering until the sender gives up', async () => {
    const secret = generateSecret();
    receiver = await startWebhookReceiver({ secrets: [secret.text] });
    receiver.answer({ kind: 'hang' });
    const aborter = new AbortController();
    const pending = send(receiver.url, 'h', {}, [secret], aborter.signal);
    await receiver.waitForDeliveries(1);
    aborter.abort();
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('goes down (connections refused, hanging requests cut) and comes back on the same port', async () => {
    const secret = generateSecret();
    receiver = await startWebhookReceiver({ secrets: [secret.text] });
    receiver.answer({ kind: 'hang' });
    const hanging = send(receiver.url, 'h', {}, [secret]);
    await receiver.waitForDeliveries(1);
    await receiver.down();
    await expect(hanging).rejects.toThrow();
    await expect(send(receiver.url, 'refused', {}, [secret])).rejects.toThrow();
    await receiver.up();
    receiver.answer({ kind: 'status', status: 200 });
    expect((await send(receiver.url, 'back', {}, [secret])).status).toBe(200);
    expect(receiver.events().map((e) => e.id)).toEqual(['back']);
  });

  it('refuses other paths and methods', async () => {
    const secret = generateSecret();
    receiver = await startWebhookReceiver({ secrets: [secret.text] });
    const res = await fetch(receiver.url.replace('/hooks', '/other'), { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(receiver.events()).toEqual([]);
  });
});

import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryAgents, deliverAttempt, type AttemptOptions, type DeliveryAgents } from '../../server/webhooks/deliver-attempt.ts';
import { generateSecret, type WebhookSecret } from '../../server/webhooks/signing.ts';
import { makeSelfSignedCert, type SelfSignedCert } from '../support/self-signed-cert.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// Tests reach 127.0.0.1 over http, so both safety flags are on except where a test is about them.
const LOOSE = { allowHttp: true, allowPrivate: true };
let agents: DeliveryAgents;
let secret: WebhookSecret;
let receiver: WebhookReceiver;
let cert: SelfSignedCert;
const extra: Array<{ close(): Promise<void> | void }> = [];

beforeAll(async () => {
  agents = createDeliveryAgents({ safety: LOOSE });
  secret = generateSecret();
  receiver = await startWebhookReceiver({ secrets: [secret.text] });
  cert = makeSelfSignedCert();
});
afterAll(async () => {
  await receiver.close();
  agents.http.destroy();
  agents.https.destroy();
});
afterEach(async () => {
  receiver.answer({ kind: 'status', status: 204 });
  for (const x of extra.splice(0)) await x.close();
});

const event = (id: string, payload: unknown = { type: 'cart.updated', id }) => ({ url: receiver.url, id, body: JSON.stringify(payload), secrets: [secret] });
const opts = (o: Partial<AttemptOptions> = {}): AttemptOptions => ({ safety: LOOSE, agents, ...o });

describe('one delivery attempt', () => {
  it('posts a signed JSON event that standardwebhooks verifies, and reports delivered with a latency', async () => {
    const result = await deliverAttempt(event('evt_ok', { type: 'cart.updated', data: { version: 3 } }), opts());
    expect(result.outcome).toEqual({ kind: 'delivered', status: 204 });
    expect(result.latencyMs).toBeGreaterThan(0);
    const got = receiver.events().find((e) => e.id === 'evt_ok');
    expect(got?.payload).toEqual({ type: 'cart.updated', data: { version: 3 } });
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['user-agent']).toBe('Tandem-Webhooks/1');
  });

  it('signs with every secret during a rotation', async () => {
    const newer = generateSecret();
    const rotating = await startWebhookReceiver({ secrets: [secret.text, newer.text] });
    extra.push(rotating);
    const result = await deliverAttempt({ url: rotating.url, id: 'evt_rot', body: '{}', secrets: [newer, secret] }, opts());
    expect(result.outcome.kind).toBe('delivered');
    expect(rotating.events()[0]?.verifiedBy).toEqual([0, 1]);
  });

  it('reports 500 as retry, 410 as gone, 429 and 503 with their Retry-After', async () => {
    receiver.answer({ kind: 'status', status: 500 });
    expect((await deliverAttempt(event('e500'), opts())).outcome).toEqual({ kind: 'retry', status: 500, afterMs: null, reason: 'http_500' });
    receiver.answer({ kind: 'status', status: 410 });
    expect((await deliverAttempt(event('e410'), opts())).outcome).toEqual({ kind: 'gone', status: 410 });
    receiver.answer({ kind: 'status', status: 429, retryAfter: '7' });
    expect((await deliverAttempt(event('e429'), opts())).outcome).toEqual({ kind: 'retry', status: 429, afterMs: 7000, reason: 'http_429' });
    receiver.answer({ kind: 'status', status: 503, retryAfter: new Date(Date.now() + 120_000).toUTCString() });
    const dated = await deliverAttempt(event('e503b'), opts());
    expect(dated.outcome).toMatchObject({ kind: 'retry', status: 503, reason: 'http_503' });
    const after = dated.outcome.kind === 'retry' ? dated.outcome.afterMs : null;
    expect(after).toBeGreaterThan(100_000);
    expect(after).toBeLessThanOrEqual(120_000);
  });

  it('does not follow a redirect: a 3xx is a failure and the target never hears of the event', async () => {
    const target = await startWebhookReceiver({ secrets: [secret.text] });
    extra.push(target);
    receiver.answer({ kind: 'status', status: 307, location: target.url });
    const result = await deliverAttempt(event('e307'), opts());
    expect(result.outcome).toEqual({ kind: 'retry', status: 307, afterMs: null, reason: 'redirect_307' });
    expect(target.deliveries).toHaveLength(0);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    receiver.answer({ kind: 'hang' });
    const result = await deliverAttempt(event('ehang'), opts({ timeoutMs: 300 }));
    expect(result.outcome).toEqual({ kind: 'retry', status: null, afterMs: null, reason: 'timeout' });
  });

  it('reports a cut connection and a receiver that is down', async () => {
    receiver.answer({ kind: 'reset' });
    expect((await deliverAttempt(event('ereset'), opts())).outcome).toMatchObject({ kind: 'retry', reason: 'connection_reset' });
    const gone = await startWebhookReceiver({ secrets: [secret.text] });
    await gone.close();
    const result = await deliverAttempt({ ...event('edown'), url: gone.url }, opts());
    expect(result.outcome).toMatchObject({ kind: 'retry', status: null, reason: 'connection_refused' });
  });

  it('sends again on a fresh connection when a kept-alive socket was closed by the receiver', async () => {
    // Answers the first request of each connection and cuts the connection on the second, as a receiver
    // that dropped an idle keep-alive socket just as it was reused.
    const perSocket = new WeakMap<object, number>();
    let connections = 0;
    const server: Server = createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    extra.push({ close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    const address = server.address();
    const url = `http://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}/`;
    const own = createDeliveryAgents({ safety: LOOSE });
    extra.push({ close: () => own.http.destroy() });
    expect((await deliverAttempt({ ...event('k1'), url }, opts({ agents: own }))).outcome).toEqual({ kind: 'delivered', status: 204 });
    expect((await deliverAttempt({ ...event('k2'), url }, opts({ agents: own }))).outcome).toEqual({ kind: 'delivered', status: 204 });
    expect(connections).toBe(2);
  });

  it('reads a bounded part of an endless answer, then cuts it and keeps the status', async () => {
    let chunks = 0;
    const server: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        // Bounded on our side too: stop after 64 MiB even if the client never cuts.
        while (chunks < 4096 && res.write(chunk)) chunks++;
        if (chunks < 4096) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    extra.push({ close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    const address = server.address();
    const port = address && typeof address === 'object' ? address.port : 0;
    const result = await deliverAttempt({ ...event('ebig'), url: `http://127.0.0.1:${port}/` }, opts({ maxResponseBytes: 32 * 1024 }));
    expect(result.outcome).toEqual({ kind: 'delivered', status: 200 });
    expect(chunks).toBeLessThan(4096);
  });
});

describe('safety of an attempt', () => {
  it('refuses http and private addresses unless allowed, without connecting', async () => {
    const strict = { allowHttp: false, allowPrivate: false };
    const strictAgents = createDeliveryAgents({ safety: strict });
    const before = receiver.deliveries.length;
    const http = await deliverAttempt(event('s1'), { safety: strict, agents: strictAgents });
    expect(http.outcome).toMatchObject({ kind: 'failed', reason: 'scheme_not_allowed' });
    const privateOnly = { allowHttp: true, allowPrivate: false };
    const privateAgents = createDeliveryAgents({ safety: privateOnly });
    const literal = await deliverAttempt(event('s2'), { safety: privateOnly, agents: privateAgents });
    expect(literal.outcome).toMatchObject({ kind: 'failed', reason: 'address_not_allowed' });
    const named = await deliverAttempt({ ...event('s3'), url: receiver.url.replace('127.0.0.1', 'localhost') }, { safety: privateOnly, agents: privateAgents });
    expect(named.outcome).toMatchObject({ kind: 'failed', reason: 'address_not_allowed' });
    expect(receiver.deliveries.length).toBe(before);
  });

  it('delivers over https to a receiver whose certificate is trusted, and refuses an untrusted one', async () => {
    const tlsReceiver = await startWebhookReceiver({ secrets: [secret.text], tls: cert });
    extra.push(tlsReceiver);
    const trusting = createDeliveryAgents({ safety: { allowHttp: false, allowPrivate: true }, ca: cert.cert });
    const ok = await deliverAttempt({ ...event('tls1'), url: tlsReceiver.url }, { safety: { allowHttp: false, allowPrivate: true }, agents: trusting });
    expect(ok.outcome).toEqual({ kind: 'delivered', status: 204 });
    expect(tlsReceiver.events().map((e) => e.id)).toEqual(['tls1']);
    const untrusted = await deliverAttempt({ ...event('tls2'), url: tlsReceiver.url }, opts());
    expect(untrusted.outcome).toMatchObject({ kind: 'retry', reason: 'tls_error' });
    expect(tlsReceiver.events().map((e) => e.id)).toEqual(['tls1']);
    trusting.https.destroy();
  });
});

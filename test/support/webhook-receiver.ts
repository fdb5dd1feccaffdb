/**
 * A real webhook receiver for tests, the fault suite and the bench: a plain node http server on 127.0.0.1
 * and a port of its own, verifying every delivery with the `standardwebhooks` package (the specification's
 * reference implementation, never a verifier of ours), recording what it got, and answering as told:
 * 2xx, any status (500, 410, 429 with Retry-After), a redirect, no answer at all, or not listening.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { poll } from './timing.ts';

/** How the receiver answers a delivery. */
export type ReceiverAnswer =
  | { kind: 'status'; status: number; retryAfter?: string; location?: string }
  /** Reads the request and never answers (the sender's timeout has to end it). */
  | { kind: 'hang' }
  /** Destroys the connection without an answer. */
  | { kind: 'reset' };

export const OK: ReceiverAnswer = { kind: 'status', status: 204 };

export interface ReceivedDelivery {
  /** 0-based order of arrival, over every request. */
  index: number;
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The `webhook-id` header ('' when missing). */
  id: string;
  /** The parsed JSON body when some secret verified it, else null. */
  payload: unknown;
  /** Secrets (by position in the secret list at the time) whose standardwebhooks verifier accepted the delivery. */
  verifiedBy: number[];
  /** The verifier's message when no secret accepted it. */
  verifyError: string | null;
  answer: ReceiverAnswer;
  receivedAtMs: number;
}

export interface WebhookReceiverOptions {
  /** `whsec_…` secrets a delivery may be signed with; each is tried with standardwebhooks. */
  secrets: string[];
  /** The path deliveries are sent to. @default '/hooks' */
  path?: string;
  /** Bodies larger than this are answered 413 unread. @default 1 MiB */
  maxBodyBytes?: number;
  /** Serve https with this key and certificate (PEM) instead of http. */
  tls?: { key: string; cert: string };
}

export interface WebhookReceiver {
  /** `http(s)://127.0.0.1:<port><path>`: stays the same across down() / up(). */
  readonly url: string;
  readonly port: number;
  /** Every request that arrived, verified or not, in order. */
  readonly deliveries: readonly ReceivedDelivery[];
  /** Deliveries that verified and were answered 2xx. */
  accepted(): ReceivedDelivery[];
  /** Accepted deliveries, first one per webhook-id (receivers deduplicate by id), in order of arrival. */
  events(): ReceivedDelivery[];
  /** Deliveries that no secret verified (a correct sender makes none). */
  unverified(): ReceivedDelivery[];
  /** Sets the answer for what comes next: one answer, or a function of the delivery (e.g. 500 for the first n). */
  answer(answer: ReceiverAnswer | ((delivery: ReceivedDelivery) => ReceiverAnswer)): void;
  /** Replaces the secrets (e.g. only the new one after a rotation). */
  setSecrets(secrets: string[]): void;
  /** Stops listening and cuts every open connection (hanging ones too): the endpoint is down. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Resolves once `count` distinct events were accepted. */
  waitForEvents(count: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  /** Resolves once `count` requests arrived (whatever the answer). */
  waitForDeliveries(count: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  close(): Promise<void>;
}

/** Starts a receiver on a free port of 127.0.0.1. */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const path = options.path ?? '/hooks';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  let verifiers = options.secrets.map((s) => new Webhook(s));
  let decide: (delivery: ReceivedDelivery) => ReceiverAnswer = () => OK;
  const deliveries: ReceivedDelivery[] = [];
  const sockets = new Set<Socket>();
  let closed = false;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        res.writeHead(413).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery = record(req, body);
      deliveries.push(delivery);
      respond(res, delivery);
    });
  };

  const record = (req: IncomingMessage, body: string): ReceivedDelivery => {
    const headers = req.headers;
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') flat[k] = v;
    const verifiedBy: number[] = [];
    let payload: unknown = null;
    let verifyError: string | null = null;
    verifiers.forEach((wh, i) => {
      try {
        payload = wh.verify(body, flat);
        verifiedBy.push(i);
      } catch (err) {
        verifyError = err instanceof Error ? err.message : String(err);
      }
    });
    const delivery: ReceivedDelivery = {
      index: deliveries.length,
      path: req.url ?? '',
      method: req.method ?? '',
      headers,
      body,
      id: flat['webhook-id'] ?? '',
      payload: verifiedBy.length > 0 ? payload : null,
      verifiedBy,
      verifyError: verifiedBy.length > 0 ? null : verifyError ?? 'no secret configured',
      answer: OK,
      receivedAtMs: Date.now(),
    };
    const wrongPlace = req.method !== 'POST' || (req.url ?? '') !== path;
    delivery.answer = wrongPlace
      ? { kind: 'status', status: 404 }
      : verifiedBy.length === 0
        ? { kind: 'status', status: 401 }
        : decide(delivery);
    return delivery;
  };

  const respond = (res: ServerResponse, delivery: ReceivedDelivery) => {
    const answer = delivery.answer;
    if (answer.kind === 'hang') return;
    if (answer.kind === 'reset') {
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
    if (answer.location !== undefined) headers.location = answer.location;
    res.writeHead(answer.status, headers).end();
  };

  const tls = options.tls;
  const makeServer = (): Server => (tls ? createTlsServer({ key: tls.key, cert: tls.cert }, handle) : createServer(handle));
  let server: Server = makeServer();
  const listen = (srv: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      // 'connection' sees the raw TCP socket for http and https alike.
      srv.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        srv.off('error', reject);
        const address = srv.address();
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('receiver got no port'));
      });
    });
  const port = await listen(server, 0);
  let listening = true;

  const stop = async () => {
    if (!listening) return;
    listening = false;
    const done = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await done;
  };

  const accepted = () =>
    deliveries.filter((d) => d.verifiedBy.length > 0 && d.answer.kind === 'status' && d.answer.status >= 200 && d.answer.status < 300);
  const events = () => {
    const seen = new Set<string>();
    return accepted().filter((d) => (seen.has(d.id) ? false : (seen.add(d.id), true)));
  };

  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}${path}`,
    port,
    deliveries,
    accepted,
    events,
    unverified: () => deliveries.filter((d) => d.verifiedBy.length === 0),
    answer(answer) {
      decide = typeof answer === 'function' ? answer : () => answer;
    },
    setSecrets(secrets) {
      verifiers = secrets.map((s) => new Webhook(s));
    },
    down: stop,
    async up() {
      if (closed) throw new Error('receiver was closed');
      if (listening) return;
      server = makeServer();
      // The port was ours a moment ago; another process taking it in between would fail loudly here.
      await listen(server, port);
      listening = true;
    },
    waitForEvents: (count, timeoutMs = 20_000) =>
      poll(() => (events().length >= count ? events() : null), { what: `${count} webhook events accepted`, timeoutMs, everyMs: 20 }),
    waitForDeliveries: (count, timeoutMs = 20_000) =>
      poll(() => (deliveries.length >= count ? [...deliveries] : null), { what: `${count} webhook requests received`, timeoutMs, everyMs: 20 }),
    async close() {
      closed = true;
      await stop();
    },
  };
}

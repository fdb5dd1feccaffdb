import { z } from 'zod';
import type { EndpointAdmin } from '../../webhooks/endpoint-admin.ts';
import type { EndpointRecord } from '../../webhooks/endpoints.ts';
import { EVENT_TYPES, EventType } from '../../webhooks/events.ts';
import type { OutboxStore } from '../../webhooks/outbox.ts';
import { UrlSafetyError } from '../../webhooks/url-safety.ts';
import { ApiError } from '../problem.ts';
import { defineRoute, type Route } from '../route.ts';

/** What the webhook routes need (absent: the routes are not mounted). */
export interface WebhookRouteDeps {
  admin: EndpointAdmin;
  store: OutboxStore;
  /** GET /v1/events answers only when the pull feed is on (WEBHOOKS_PULL). */
  pull: boolean;
}

const EndpointId = z.string().regex(/^ep_[A-Za-z0-9_-]{1,64}$/).describe('an endpoint id, `ep_…`');
const IdParams = z.strictObject({ id: EndpointId });
const Endpoint = z.strictObject({
  id: EndpointId,
  url: z.string(),
  events: z.array(EventType),
  description: z.string().optional(),
  createdAt: z.string().describe('ISO 8601'),
  source: z.enum(['api', 'file']).describe('made through this API, or declared by WEBHOOKS_FILE'),
  disabled: z.strictObject({ at: z.string(), reason: z.enum(['gone', 'failing']) }).nullable().describe('why it stopped receiving: the receiver answered 410, or failed for too long'),
  failingSince: z.string().nullable().describe('start of the current run of failed deliveries'),
  rotating: z.boolean().describe('an older secret still signs (after a rotation)'),
});
const CreateBody = z.strictObject({
  url: z.string().min(1).max(2048).describe('https URL (http and private addresses only when the server allows them)'),
  events: z.array(EventType).min(1).max(EVENT_TYPES.length).describe('event types to receive'),
  description: z.string().max(500).optional(),
});
const Created = Endpoint.extend({ secret: z.string().describe('the whsec_ secret: shown once, store it now') });
const iso = (ms: number) => new Date(ms).toISOString();

function view(e: EndpointRecord, now: number): z.infer<typeof Endpoint> {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    ...(e.description !== undefined ? { description: e.description } : {}),
    createdAt: iso(e.createdAt),
    source: e.source,
    disabled: e.disabled === null ? null : { at: iso(e.disabled.at), reason: e.disabled.reason },
    failingSince: e.failingSince === null ? null : iso(e.failingSince),
    rotating: e.secrets.some((s) => s.until !== null && s.until > now),
  };
}

const unknown = (id: string) => new ApiError(404, 'not_found', `no webhook endpoint ${id}`);
const PublicEventSchema = z.strictObject({
  id: z.string().describe('the same id as the webhook-id of its delivery'),
  type: EventType,
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()).describe('per type, as in the README event catalogue (server/webhooks/events.ts EVENT_DATA)'),
});

/** Webhook endpoints (register, list, delete, rotate the secret, replay dead letters) and the pull feed. */
export function webhookRoutes(deps: WebhookRouteDeps): Route[] {
  const { admin } = deps;
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/webhooks',
      scope: 'write',
      mutating: false,
      operationId: 'createWebhook',
      summary: 'Registers an endpoint; the answer carries its signing secret, shown this once',
      tag: 'webhooks',
      body: CreateBody,
      response: Created,
      status: 201,
      errors: [400],
      async handle({ body }) {
        try {
          const { endpoint, secret } = await admin.create(body);
          return { status: 201, body: { ...view(endpoint, Date.now()), secret } };
        } catch (err) {
          if (err instanceof UrlSafetyError) throw new ApiError(400, 'bad_request', `url refused (${err.code}): ${err.message}`);
          if (err instanceof RangeError) throw new ApiError(400, 'bad_request', err.message);
          throw err;
        }
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/webhooks',
      scope: 'read',
      operationId: 'listWebhooks',
      summary: 'Every endpoint, without secrets',
      tag: 'webhooks',
      response: z.strictObject({ endpoints: z.array(Endpoint) }),
      async handle() {
        const now = Date.now();
        return { body: { endpoints: (await admin.list()).map((e) => view(e, now)) } };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/webhooks/{id}',
      scope: 'write',
      mutating: false,
      operationId: 'deleteWebhook',
      summary: 'Removes an endpoint and its dead letters; nothing more is sent to it',
      tag: 'webhooks',
      params: IdParams,
      response: z.strictObject({ id: EndpointId, deleted: z.literal(true) }),
      errors: [404],
      async handle({ params }) {
        if (!(await admin.remove(params.id))) throw unknown(params.id);
        return { body: { id: params.id, deleted: true as const } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/webhooks/{id}/rotate',
      scope: 'write',
      mutating: false,
      operationId: 'rotateWebhookSecret',
      summary: 'A new signing secret; the old one keeps signing (both signatures are sent) for 24 hours',
      tag: 'webhooks',
      params: IdParams,
      response: z.strictObject({ id: EndpointId, secret: z.string(), previousValidUntil: z.string() }),
      errors: [404],
      async handle({ params }) {
        const rotated = await admin.rotate(params.id);
        if (!rotated) throw unknown(params.id);
        return { body: { id: params.id, secret: rotated.secret, previousValidUntil: iso(rotated.previousValidUntil) } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/webhooks/{id}/replay',
      scope: 'write',
      mutating: false,
      operationId: 'replayWebhook',
      summary: "Sends the endpoint's dead letters failed since a time again (with their ids), each user's in order",
      tag: 'webhooks',
      params: IdParams,
      query: z.strictObject({ since: z.iso.datetime().optional().describe('ISO 8601; default: all dead letters kept') }),
      response: z.strictObject({ id: EndpointId, replayed: z.number().int() }),
      errors: [404],
      async handle({ params, query }) {
        const replayed = await admin.replay(params.id, query.since === undefined ? 0 : Date.parse(query.since));
        if (replayed === null) throw unknown(params.id);
        return { body: { id: params.id, replayed } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/events',
      scope: 'read',
      operationId: 'listEvents',
      summary: 'The events after a cursor, oldest first: the same ids and bodies as the webhook deliveries (WEBHOOKS_PULL)',
      tag: 'webhooks',
      query: z.strictObject({
        after: z.string().regex(/^\d+-\d+$/).optional().describe('the `next` of the previous page; absent: from the oldest kept'),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: z.strictObject({ events: z.array(PublicEventSchema), next: z.string().describe('pass as `after`') }),
      errors: [404],
      async handle({ query }) {
        if (!deps.pull) throw new ApiError(404, 'not_found', 'the pull feed is off: start the nodes with WEBHOOKS_PULL=true');
        const page = await deps.store.readFeed(query.after ?? null, query.limit);
        return { body: { events: page.events.map((e) => e.event), next: page.next } };
      },
    }),
  ];
}

import { z } from 'zod';
import { Problem } from './problem.ts';
import type { Route } from './route.ts';

type JsonSchema = Record<string, unknown>;

/** What every authenticated call can answer besides its own statuses. */
const COMMON_ERRORS = [400, 401, 429, 500, 503];
const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed input (unknown fields, a bad parameter, no Idempotency-Key)',
  401: 'Missing or unknown API key',
  403: 'A read key tried to write',
  404: 'Unknown user or thing',
  409: 'Conflicts with the current state',
  410: 'The change log no longer reaches back; the problem carries the current epoch and version',
  412: 'If-Match named an older version; the problem carries the current epoch and version',
  413: 'Body larger than 64 KB',
  415: 'Body is not application/json',
  422: 'This Idempotency-Key was used for a different request',
  429: 'Rate limited',
  500: 'Internal error',
  503: 'The state store is unavailable',
};

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

/** Path or query parameters from an object schema, one OpenAPI parameter per property. */
function parameters(schema: z.ZodType | undefined, place: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input');
  const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: place,
      required: place === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

function operation(route: Route): JsonSchema {
  const params = [...parameters(route.params, 'path'), ...parameters(route.query, 'query')];
  if (route.mutating) {
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: true,
      description: 'Unique per intended change; a repeat answers the first result (remembered at least 24 h)',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
    params.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'The ETag "<epoch>:<version>" the change was decided on; 412 when the user moved on',
      schema: { type: 'string' },
    });
  }
  const problemRef = { $ref: '#/components/schemas/Problem' };
  const errors = route.scope === 'public' ? [500] : [...new Set([...COMMON_ERRORS, ...route.errors, ...(route.scope === 'write' ? [403] : [])])];
  if (route.body) errors.push(413, 415);
  if (route.mutating) errors.push(412, 422);
  const responses: Record<string, JsonSchema> = {
    [String(route.status)]: {
      description: 'Success',
      headers: {
        ETag: { description: '"<epoch>:<version>" of the user state this answer reflects', schema: { type: 'string' } },
        ...(route.mutating ? { 'Idempotent-Replayed': { description: 'true when this answers an earlier call with the same key', schema: { type: 'string' } } } : {}),
      },
      content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
    },
  };
  for (const status of [...new Set(errors)].sort((a, b) => a - b)) {
    responses[String(status)] = { description: DESCRIPTIONS[status] ?? 'Error', content: { 'application/problem+json': { schema: problemRef } } };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.scope === 'public' ? { security: [] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the admin API, generated from the route table (the same zod schemas). */
export function openApiDocument(routes: readonly Route[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const entry = (paths[route.path] ??= {});
    entry[route.method.toLowerCase()] = operation(route);
  }
  const problemSchema = schemaOf(Problem, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tandem backend API',
      version,
      description:
        'The app backend\'s API on every gateway node\'s admin port: read and change a user\'s cart, watch progress and devices. ' +
        'Errors are application/problem+json (RFC 9457) with the protocol `code`.',
    },
    servers: [{ url: '/', description: 'the admin listener of any gateway node (ADMIN_HOST:ADMIN_PORT)' }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A secret from API_KEYS' } },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}

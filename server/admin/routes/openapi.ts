import { z } from 'zod';
import { openApiDocument } from '../openapi.ts';
import { defineRoute, type Route } from '../route.ts';

/** The admin API's own version, in the OpenAPI document's `info.version`. */
export const ADMIN_API_VERSION = '1.0.0';

/** `GET /v1/openapi.json`: the contract, generated once from the finished route table. */
export function openApiRoute(table: () => readonly Route[]): Route {
  let cached: Record<string, unknown> | null = null;
  return defineRoute({
    method: 'GET',
    path: '/v1/openapi.json',
    scope: 'public',
    operationId: 'getOpenApi',
    summary: 'This OpenAPI 3.1 document',
    tag: 'meta',
    response: z.record(z.string(), z.unknown()),
    async handle() {
      cached ??= openApiDocument(table(), ADMIN_API_VERSION);
      return { body: cached };
    },
  });
}

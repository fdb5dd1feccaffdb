import type { z } from 'zod';
import type { ApiKey } from '../config/admin.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `"<epoch>:<version>"`, the ETag of a user's state and the value `If-Match` expects. */
export interface StateTag {
  epoch: string;
  version: number;
}

/** What a mutating call carries for exactly-once: the client's key and a digest of what it asked. */
export interface IdempotencyInfo {
  key: string;
  /** sha256 of method, path and the validated body: the same key with another request answers 422. */
  requestHash: string;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The API key that authenticated the call (null on public routes). */
  apiKey: ApiKey | null;
  /** Set on mutating routes (the router refuses them without an Idempotency-Key). */
  idempotency: IdempotencyInfo | null;
  ifMatch: StateTag | null;
}

export interface RouteResult<R> {
  /** @default the route's `status` */
  status?: number;
  body: R;
  etag?: StateTag;
  /** A repeat of an earlier call with the same Idempotency-Key (answered with `Idempotent-Replayed: true`). */
  replayed?: boolean;
}

/**
 * One entry of the route table: the router validates params, query and body with these schemas before
 * the handler runs and the response after; the OpenAPI document is generated from the same entry.
 */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  method: HttpMethod;
  /** OpenAPI style: `/v1/users/{userId}/cart/lines/{sku}`. */
  path: string;
  /** `public` needs no key; `read` any key; `write` a write key. */
  scope: 'public' | 'read' | 'write';
  operationId: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** Success status. @default 200 */
  status?: number;
  /** Requires an Idempotency-Key and honours If-Match. @default true for write routes */
  mutating?: boolean;
  /** Error statuses worth documenting beyond the ones every call can answer. */
  errors?: number[];
  handle(ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<RouteResult<z.infer<R>>>;
}

/** A route with its types erased, as the router and the OpenAPI generator see it. */
export interface Route {
  method: HttpMethod;
  path: string;
  scope: 'public' | 'read' | 'write';
  operationId: string;
  summary: string;
  tag: string;
  params: z.ZodType | undefined;
  query: z.ZodType | undefined;
  body: z.ZodType | undefined;
  response: z.ZodType;
  status: number;
  mutating: boolean;
  errors: number[];
  handle(ctx: RouteContext<unknown, unknown, unknown>): Promise<RouteResult<unknown>>;
}

/** Checks a route's handler against its schemas at compile time, then erases the types for the table. */
export function defineRoute<
  P extends z.ZodType = z.ZodType<Record<string, never>>,
  Q extends z.ZodType = z.ZodType<Record<string, never>>,
  B extends z.ZodType = z.ZodType<undefined>,
  R extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B, R>): Route {
  return {
    method: spec.method,
    path: spec.path,
    scope: spec.scope,
    operationId: spec.operationId,
    summary: spec.summary,
    tag: spec.tag,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    response: spec.response,
    status: spec.status ?? 200,
    mutating: spec.mutating ?? spec.scope === 'write',
    errors: spec.errors ?? [],
    handle: spec.handle as Route['handle'],
  };
}

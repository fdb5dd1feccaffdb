import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../observability/logger.ts';
import type { ApiKeyRing } from './api-keys.ts';
import { readBody, sendJson, sendProblem } from './http-io.ts';
import { ApiError, problem, toProblem } from './problem.ts';
import type { HttpMethod, Route, StateTag } from './route.ts';

export interface RouterDeps {
  routes: readonly Route[];
  keys: ApiKeyRing;
  logger: Logger;
  /** Called once per answered call, for metrics. */
  observe?(route: string, status: number): void;
}

interface Compiled {
  route: Route;
  segments: Array<{ literal: string } | { param: string }>;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const IF_MATCH = /^"([^":\s]{1,64}):(\d{1,16})"$/;

function compile(route: Route): Compiled {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : { literal: s }));
  return { route, segments };
}

/** Matches a path against a route: the decoded params, or null. Throws 400 on a malformed escape. */
function match(compiled: Compiled, parts: string[]): Record<string, string> | null {
  if (parts.length !== compiled.segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = compiled.segments[i];
    const part = parts[i] ?? '';
    if (!segment) return null;
    if ('literal' in segment) {
      if (segment.literal !== part) return null;
      continue;
    }
    try {
      params[segment.param] = decodeURIComponent(part);
    } catch {
      throw new ApiError(400, 'bad_request', `path segment ${i + 1} is not valid percent-encoding`);
    }
  }
  return params;
}

function issues(where: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}

function validate<T>(schema: z.ZodType | undefined, value: unknown, where: string): T {
  if (!schema) return value as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError(400, 'bad_request', issues(where, parsed.error));
  return parsed.data as T;
}

function queryObject(search: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of search) {
    if (Object.prototype.hasOwnProperty.call(query, name)) throw new ApiError(400, 'bad_request', `query parameter ${name} appears twice`);
    query[name] = value;
  }
  return query;
}

function parseIfMatch(header: string | undefined): StateTag | null {
  if (header === undefined) return null;
  const m = IF_MATCH.exec(header.trim());
  if (!m?.[1] || !m[2]) throw new ApiError(400, 'bad_request', 'If-Match must be "<epoch>:<version>" as in the ETag');
  return { epoch: m[1], version: Number(m[2]) };
}

export const etagOf = (tag: StateTag) => `"${tag.epoch}:${tag.version}"`;

async function parseBody(route: Route, req: IncomingMessage): Promise<unknown> {
  const read = await readBody(req);
  if (read.kind === 'too_large') throw new ApiError(413, 'too_large', 'the body is larger than 64 KB');
  if (read.kind === 'aborted') throw new ApiError(400, 'bad_request', 'the request was aborted');
  const text = read.text;
  if (!route.body) {
    if (text.trim() !== '' && text.trim() !== '{}') throw new ApiError(400, 'bad_request', 'this call takes no body');
    return undefined;
  }
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new ApiError(415, 'bad_request', 'send the body as application/json');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'bad_request', 'the body is not JSON');
  }
  return validate(route.body, json, 'body');
}

/**
 * The admin API's request pipeline: match, authenticate, read and validate, run, validate the answer.
 * Every failure becomes a problem document; nothing a caller sends can throw past it.
 */
export function createRouter(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const compiled = deps.routes.map(compile);

  const serve = async (req: IncomingMessage, res: ServerResponse, url: URL, found: Compiled, params: Record<string, string>) => {
    const { route } = found;
    let apiKey = null;
    if (route.scope !== 'public') {
      apiKey = deps.keys.authenticate(req.headers.authorization);
      if (!apiKey) throw new ApiError(401, 'unauthorized', 'missing or unknown API key (Authorization: Bearer <secret>)');
      if (route.scope === 'write' && apiKey.scope !== 'write') throw new ApiError(403, 'forbidden', `key ${apiKey.name} may only read`);
    }
    const typedParams = validate(route.params, params, 'path');
    const query = validate(route.query, queryObject(url.searchParams), 'query');
    const body = await parseBody(route, req);
    let idempotency = null;
    let ifMatch = null;
    if (route.mutating) {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
        throw new ApiError(400, 'bad_request', 'a mutating call needs an Idempotency-Key header (1-255 visible ASCII characters)');
      }
      const requestHash = createHash('sha256')
        .update(`${route.method} ${url.pathname}\n${JSON.stringify(body ?? null)}`)
        .digest('base64url');
      idempotency = { key, requestHash };
      ifMatch = parseIfMatch(typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined);
    }
    const result = await route.handle({ params: typedParams, query, body, apiKey, idempotency, ifMatch });
    const checked = route.response.safeParse(result.body);
    if (!checked.success) {
      deps.logger.error({ route: route.operationId, problem: issues('response', checked.error) }, 'admin answer does not match its schema');
      throw new Error('response schema mismatch');
    }
    const headers: Record<string, string> = {};
    if (result.etag) headers['etag'] = etagOf(result.etag);
    if (result.replayed) headers['idempotent-replayed'] = 'true';
    sendJson(res, result.status ?? route.status, checked.data, headers);
    return result.status ?? route.status;
  };

  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://admin.invalid');
    } catch {
      sendProblem(res, problem(400, 'bad_request', 'malformed request target'));
      return true;
    }
    const parts = url.pathname.split('/').slice(1);
    let found: { compiled: Compiled; params: Record<string, string> } | null = null;
    const allowed = new Set<HttpMethod>();
    let status = 500;
    let name = 'unmatched';
    try {
      for (const c of compiled) {
        const params = match(c, parts);
        if (!params) continue;
        allowed.add(c.route.method);
        if (c.route.method === req.method) found = { compiled: c, params };
      }
      if (!found) {
        if (allowed.size === 0) return false;
        status = 405;
        sendProblem(res, problem(405, 'bad_request', `use ${[...allowed].join(', ')}`), { allow: [...allowed].join(', ') });
        return true;
      }
      name = found.compiled.route.operationId;
      status = await serve(req, res, url, found.compiled, found.params);
    } catch (err) {
      const body = toProblem(err);
      status = body.status;
      if (body.status >= 500) deps.logger.error({ err, route: name }, 'admin call failed');
      const headers: Record<string, string> = {};
      if (status === 401) headers['www-authenticate'] = 'Bearer';
      // A body we stopped reading cannot be left on the connection.
      if (status === 413) headers['connection'] = 'close';
      sendProblem(res, body, headers);
    } finally {
      deps.observe?.(name, status);
    }
    return true;
  };
}

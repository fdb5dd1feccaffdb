import { z } from 'zod';
import { ErrorCode } from '../protocol/zod.ts';
import { StateRefusal } from '../engine/backend.ts';
import { SyncError } from '../errors.ts';

/** The HTTP status each protocol code answers with on the admin API. */
export const STATUS_OF_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  idempotency_key_reused: 422,
  history_gone: 410,
  rate_limited: 429,
  unavailable: 503,
  too_large: 413,
  internal: 500,
  frozen: 409,
  currency_mismatch: 409,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem document, with our protocol `code`; some problems add members (e.g. the current version). */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().max(500),
    code: ErrorCode,
    epoch: z.string().optional(),
    version: z.number().int().min(0).optional(),
  })
  .describe('RFC 9457 problem details; `code` is the protocol error code');
export type Problem = z.infer<typeof Problem>;

/** A refusal with its HTTP status; `extra` members are added to the problem document. */
export class ApiError extends SyncError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    readonly extra: { epoch?: string; version?: number } = {},
  ) {
    super(code, message);
    this.name = 'ApiError';
  }
}

/** The one funnel from anything thrown to a problem document; unknown errors never leak their message. */
export function toProblem(err: unknown): Problem {
  if (err instanceof ApiError) return problem(err.status, err.code, err.message, err.extra);
  if (err instanceof StateRefusal) return problem(STATUS_OF_CODE[err.code], err.code, err.message, err.current);
  if (err instanceof SyncError) return problem(STATUS_OF_CODE[err.code], err.code, err.message);
  return problem(500, 'internal', 'internal error');
}

export function problem(status: number, code: ErrorCode, detail: string, extra: { epoch?: string; version?: number } = {}): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail: detail.slice(0, 500), code, ...extra };
}

import type { RouteContext, RouteResult } from '../route.ts';
import type { AdminRouteDeps } from './deps.ts';

/**
 * Exactly once for a route whose store steps are not one backendWrite (checkout, merge): the Idempotency-Key
 * is claimed with the request's hash first (the same key with another request answers 422), a settled key
 * answers what its call answered, and the answer is settled after the call. The steps themselves are safe to
 * repeat, so a claim a dead node never settled simply runs again and reaches the same result.
 */
export async function exactlyOnce<R>(
  deps: AdminRouteDeps,
  ctx: RouteContext<unknown, unknown, unknown>,
  userId: string,
  status: number,
  run: () => Promise<RouteResult<R>>,
): Promise<RouteResult<R>> {
  const idempotency = ctx.idempotency;
  if (!idempotency) throw new Error('a mutating route without an Idempotency-Key');
  const claim = await deps.engine.backend.claimKey(userId, idempotency);
  if (claim.kind === 'done') {
    const { answer } = claim;
    return { status: answer.status, body: answer.body as R, ...(answer.etag ? { etag: answer.etag } : {}), replayed: true };
  }
  const result = await run();
  await deps.engine.backend.settleKey(userId, idempotency, {
    status: result.status ?? status,
    body: result.body,
    ...(result.etag ? { etag: result.etag } : {}),
  });
  return result;
}

import { BACKEND_DEVICE_PREFIX } from '../../../client-sdk/src/protocol/index.ts';
import type { BackendOp } from '../../engine/backend.ts';
import type { RouteContext, RouteResult } from '../route.ts';
import { retentionOf } from './checkout.ts';
import type { AdminRouteDeps } from './deps.ts';

type WriteBody = { userId: string; epoch: string; version: number; fromVersion: number };

/**
 * Runs a backend write the way a device's mutation runs: one atomic store step (idempotency, If-Match,
 * rules, version, log), then the same fan-out to the user's devices on every node. A repeat of a device op
 * ends the sessions again (harmless: only sessions issued before the first call's time end).
 * Webhooks: the outbox record belongs inside that store step (see BackendEngine.write).
 */
export async function runWrite(
  deps: AdminRouteDeps,
  ctx: RouteContext<unknown, unknown, unknown>,
  userId: string,
  ops: BackendOp[],
): Promise<RouteResult<WriteBody>> {
  const { apiKey, idempotency } = ctx;
  if (!apiKey || !idempotency) throw new Error('a write route without key or Idempotency-Key');
  const fanout = deps.live.envelope(userId);
  const result = await deps.engine.backend.write({
    userId,
    writer: `${BACKEND_DEVICE_PREFIX}${apiKey.name}`,
    idempotency,
    ifMatch: ctx.ifMatch,
    ops,
    ...(fanout ? { fanout } : {}),
    retentionMs: retentionOf(deps, userId),
  });
  if (!result.published && result.changes.length > 0) deps.live.changes(userId, result.changes);
  if (result.revokedAt !== null) {
    const device = ops.find((op) => op.type === 'device:remove');
    deps.live.revoke(userId, device?.type === 'device:remove' ? device.deviceId : null, result.revokedAt);
  }
  if (result.devices) deps.live.devices(userId, result.devices);
  const tag = { epoch: result.epoch, version: result.version };
  return {
    body: { userId, ...tag, fromVersion: result.fromVersion },
    etag: tag,
    replayed: result.replayed,
  };
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BACKEND_DEVICE_PREFIX, LIMITS } from '../../../client-sdk/src/protocol/index.ts';
import { CartLine, CheckoutId, Epoch, Millis, UserId, Version } from '../../protocol/zod.ts';
import { retentionMs } from '../../domain/retention.ts';
import type { BackendCommit, BackendWriter } from '../../engine/domain-ops.ts';
import { defineRoute, type Route, type RouteContext } from '../route.ts';
import type { AdminRouteDeps } from './deps.ts';
import { exactlyOnce } from './exactly-once.ts';
import { UserParams } from './schemas.ts';

const CheckoutBody = z.strictObject({
  /** How long the freeze holds unless completed or cancelled first. @default CHECKOUT_TTL_MS */
  ttlMs: z.number().int().min(1000).max(LIMITS.checkoutTtlMsMax).optional(),
});
const CheckoutResult = z.strictObject({
  userId: UserId,
  checkoutId: CheckoutId,
  epoch: Epoch,
  version: Version,
  cart: z.array(CartLine),
  /** ISO time after which the freeze lapses by itself. */
  expiresAt: z.string(),
  expiresAtMs: Millis,
});
const CheckoutParams = z.strictObject({ userId: UserId, checkoutId: CheckoutId });
const EndResult = z.strictObject({ userId: UserId, checkoutId: CheckoutId, epoch: Epoch, version: Version });

/** The backend writer of an API key, as its changes name it (the same as its other writes). */
export function writerOf(deps: AdminRouteDeps, ctx: RouteContext<unknown, unknown, unknown>, userId: string): BackendWriter {
  if (!ctx.apiKey) throw new Error('a write route without a key');
  const retentionMs = retentionOf(deps, userId);
  return { writerId: `${BACKEND_DEVICE_PREFIX}${ctx.apiKey.name}`, ...(retentionMs > 0 ? { retentionMs } : {}) };
}

/** How long a backend write keeps the user's keys: a guest is known by the configured `sub` prefix here. */
export function retentionOf(deps: AdminRouteDeps, userId: string): number {
  return deps.domain ? retentionMs(deps.domain.retention, userId, false) : 0;
}

/** Pushes a committed change the store did not publish itself. */
export function deliver(deps: AdminRouteDeps, userId: string, commit: BackendCommit): void {
  if (commit.change && !commit.published) deps.live.changes(userId, [commit.change]);
}

/**
 * The checkout id of a call: derived from the API key and its Idempotency-Key, so a repeat (also after a node
 * died between the freeze and its answer) names the same checkout and gets the same answer.
 */
function checkoutIdOf(ctx: RouteContext<unknown, unknown, unknown>): string {
  if (!ctx.apiKey || !ctx.idempotency) throw new Error('a write route without key or Idempotency-Key');
  const digest = createHash('sha256').update(`${ctx.apiKey.name}\n${ctx.idempotency.key}`).digest('base64url');
  return `co_${digest.slice(0, 32)}`;
}

/** Checkout: freeze the cart while the payment runs, then complete (clears it) or cancel. */
export function checkoutRoutes(deps: AdminRouteDeps): Route[] {
  const end = (outcome: 'complete' | 'cancel', summary: string) =>
    defineRoute({
      method: 'POST',
      path: `/v1/users/{userId}/cart/checkout/{checkoutId}/${outcome}`,
      scope: 'write',
      operationId: outcome === 'complete' ? 'completeCheckout' : 'cancelCheckout',
      summary,
      tag: 'checkout',
      params: CheckoutParams,
      body: z.strictObject({}).optional(),
      response: EndResult,
      errors: [404, 409],
      handle: (ctx) =>
        exactlyOnce(deps, ctx, ctx.params.userId, 200, async () => {
          const { userId, checkoutId } = ctx.params;
          const request = { checkoutId, outcome, ifMatch: ctx.ifMatch };
          const result = await deps.engine.endCheckout(userId, request, writerOf(deps, ctx, userId), deps.live.envelope(userId));
          deliver(deps, userId, result);
          const tag = { epoch: result.epoch, version: result.version };
          return { body: { userId, checkoutId, ...tag }, etag: tag, replayed: result.change === undefined };
        }),
    });
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/users/{userId}/cart/checkout',
      scope: 'write',
      operationId: 'checkout',
      summary: 'Freezes the cart for a checkout: device edits are refused `frozen` until it completes, is cancelled or lapses',
      tag: 'checkout',
      params: UserParams,
      body: CheckoutBody.optional(),
      response: CheckoutResult,
      status: 201,
      errors: [400, 404, 409],
      handle: (ctx) =>
        exactlyOnce(deps, ctx, ctx.params.userId, 201, async () => {
          const { userId } = ctx.params;
          const ttlMs = ctx.body?.ttlMs ?? deps.domain?.checkoutTtlMs ?? 900_000;
          const request = { checkoutId: checkoutIdOf(ctx), ttlMs, ifMatch: ctx.ifMatch };
          const result = await deps.engine.freezeCart(userId, request, writerOf(deps, ctx, userId), deps.live.envelope(userId));
          deliver(deps, userId, result);
          const tag = { epoch: result.epoch, version: result.version };
          const { checkoutId, expiresAt } = result.freeze;
          return {
            body: { userId, checkoutId, ...tag, cart: result.cart, expiresAt: new Date(expiresAt).toISOString(), expiresAtMs: expiresAt },
            etag: tag,
            replayed: result.change === undefined,
          };
        }),
    }),
    end('complete', 'Completes a checkout (the order exists): clears the cart and unfreezes it'),
    end('cancel', 'Cancels a checkout: unfreezes the cart as it is'),
  ];
}

import { z } from 'zod';
import { CartLine, Epoch, Sku, UserId, Version, WatchEntry } from '../../protocol/zod.ts';
import { defineRoute, type Route } from '../route.ts';
import { deliver, writerOf } from './checkout.ts';
import type { AdminRouteDeps } from './deps.ts';
import { exactlyOnce } from './exactly-once.ts';
import { UserParams } from './schemas.ts';

const MergeBody = z.strictObject({
  /** The guest whose cart and watch progress move into this user; it is erased afterwards. */
  fromUserId: UserId,
  mode: z.enum(['merge', 'replace']).default('merge'),
  quantities: z.enum(['sum', 'max']).default('sum'),
});
const MergeResult = z.strictObject({
  userId: UserId,
  epoch: Epoch,
  version: Version,
  cart: z.array(CartLine),
  watch: z.array(WatchEntry),
  /** Guest lines left out because the cart was full. */
  dropped: z.array(Sku),
  /** This merge had been applied before (a repeat): nothing changed now. */
  duplicate: z.boolean(),
});

/**
 * Guest sign-in: moves the guest's state into the account, then erases the guest. Three steps, each atomic
 * and safe to repeat (read the guest; apply to the account with a marker keyed by the guest; erase the
 * guest), so a repeat after a crash between any two gives the same result, on a Cluster too.
 */
export function mergeRoutes(deps: AdminRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/users/{userId}/merge',
      scope: 'write',
      operationId: 'mergeGuest',
      summary: "Moves a guest's cart (and watch progress, newest wins) into this user and erases the guest",
      tag: 'users',
      params: UserParams,
      body: MergeBody,
      response: MergeResult,
      errors: [404, 409],
      handle: (ctx) =>
        exactlyOnce(deps, ctx, ctx.params.userId, 200, async () => {
          const { userId } = ctx.params;
          const request = { ...ctx.body, ifMatch: ctx.ifMatch };
          const result = await deps.engine.mergeInto(userId, request, writerOf(deps, ctx, userId), deps.live.envelope(userId));
          deliver(deps, userId, result);
          await deps.engine.backend.erase(ctx.body.fromUserId);
          deps.live.erased(ctx.body.fromUserId);
          const tag = { epoch: result.epoch, version: result.version };
          const body = { userId, ...tag, cart: result.cart, watch: result.watch, dropped: result.dropped, duplicate: result.duplicate };
          return { body, etag: tag, replayed: result.duplicate };
        }),
    }),
  ];
}

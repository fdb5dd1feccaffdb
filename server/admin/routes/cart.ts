import { z } from 'zod';
import { LIMITS } from '../../../client-sdk/src/protocol/index.ts';
import { Sku } from '../../protocol/zod.ts';
import type { BackendOp } from '../../engine/backend.ts';
import { defineRoute, type Route } from '../route.ts';
import type { AdminRouteDeps } from './deps.ts';
import { CartAddBody, CartAddFields, CartSetBody, LineParams, UserParams, WriteResult } from './schemas.ts';
import { runWrite } from './write.ts';

/** Most operations in one PATCH (a full reprice of the largest cart, and some). */
export const MAX_PATCH_OPS = 2 * LIMITS.cartLines;

const PatchOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('add'), ...CartAddFields }),
  z.strictObject({ op: z.literal('set'), sku: Sku, qty: z.number().int().min(0).max(LIMITS.qtyMax) }),
  z.strictObject({ op: z.literal('remove'), sku: Sku }),
  z.strictObject({ op: z.literal('clear') }),
]);
const PatchBody = z.strictObject({ ops: z.array(PatchOp).min(1).max(MAX_PATCH_OPS) });

/** Leaves out empty optional fields, so both engines store the same JSON as for a device's add. */
function addOp(line: z.infer<typeof CartAddBody>): BackendOp {
  const { currency, attributes, ...rest } = line;
  return {
    type: 'cart:add',
    ...rest,
    ...(currency !== undefined ? { currency } : {}),
    ...(attributes !== undefined && Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
}

function toOp(op: z.infer<typeof PatchOp>): BackendOp {
  switch (op.op) {
    case 'add': {
      const { op: _op, ...line } = op;
      return addOp(line);
    }
    case 'set':
      return { type: 'cart:set', sku: op.sku, qty: op.qty };
    case 'remove':
      return { type: 'cart:remove', sku: op.sku };
    case 'clear':
      return { type: 'cart:clear' };
  }
}

/** The cart: add, set (0 removes), delete and clear lines, or a list of those at once, all or nothing. */
export function cartRoutes(deps: AdminRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/users/{userId}/cart/lines',
      scope: 'write',
      operationId: 'addCartLine',
      summary: 'Adds qty of an item (creating the line; title and price follow the newest add)',
      tag: 'cart',
      params: UserParams,
      body: CartAddBody,
      response: WriteResult,
      handle: (ctx) => runWrite(deps, ctx, ctx.params.userId, [addOp(ctx.body)]),
    }),
    defineRoute({
      method: 'PUT',
      path: '/v1/users/{userId}/cart/lines/{sku}',
      scope: 'write',
      operationId: 'setCartLine',
      summary: 'Sets the quantity of an existing line; 0 removes it',
      tag: 'cart',
      params: LineParams,
      body: CartSetBody,
      response: WriteResult,
      errors: [404],
      handle: (ctx) => runWrite(deps, ctx, ctx.params.userId, [{ type: 'cart:set', sku: ctx.params.sku, qty: ctx.body.qty }]),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/users/{userId}/cart/lines/{sku}',
      scope: 'write',
      operationId: 'removeCartLine',
      summary: 'Removes a line (removing a missing line changes nothing, and still commits a version)',
      tag: 'cart',
      params: LineParams,
      response: WriteResult,
      handle: (ctx) => runWrite(deps, ctx, ctx.params.userId, [{ type: 'cart:remove', sku: ctx.params.sku }]),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/users/{userId}/cart',
      scope: 'write',
      operationId: 'clearCart',
      summary: 'Empties the cart',
      tag: 'cart',
      params: UserParams,
      response: WriteResult,
      handle: (ctx) => runWrite(deps, ctx, ctx.params.userId, [{ type: 'cart:clear' }]),
    }),
    defineRoute({
      method: 'PATCH',
      path: '/v1/users/{userId}/cart',
      scope: 'write',
      operationId: 'patchCart',
      summary: 'Applies add/set/remove/clear operations in order, atomically: all of them or none',
      tag: 'cart',
      params: UserParams,
      body: PatchBody,
      response: WriteResult,
      errors: [404],
      handle: (ctx) => runWrite(deps, ctx, ctx.params.userId, ctx.body.ops.map(toOp)),
    }),
  ];
}

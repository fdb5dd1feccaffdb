import {
  LIMITS,
  type CartAddRequest,
  type CartClearRequest,
  type CartLine,
  type CartRemoveRequest,
  type CartSetRequest,
  type Op,
} from '../../client-sdk/src/protocol/index.ts';
import { SyncError } from '../errors.ts';

export type CartMutation =
  | { event: 'cart:add'; request: CartAddRequest }
  | { event: 'cart:set'; request: CartSetRequest }
  | { event: 'cart:remove'; request: CartRemoveRequest }
  | { event: 'cart:clear'; request: CartClearRequest };

/**
 * Decides what a (validated) cart request does to the cart: the Op delta to commit, or a SyncError
 * (`bad_request`, `not_found`) that changes nothing. Pure: `lines` is only read.
 * The Lua script `mutate-cart.lua` implements the same rules; the engine contract suite holds them equal.
 */
export function cartOp(lines: ReadonlyMap<string, CartLine>, mutation: CartMutation): Op {
  switch (mutation.event) {
    case 'cart:add': {
      const { sku, title, priceCents, qty, currency, attributes } = mutation.request;
      const existing = lines.get(sku);
      if (!existing && lines.size >= LIMITS.cartLines) {
        throw new SyncError('bad_request', `a cart holds at most ${LIMITS.cartLines} lines`);
      }
      // Every line shares the cart's currency, so any one line tells it (the Lua script reads a random one).
      const other = lines.values().next().value;
      if (other && (other.currency ?? '') !== (currency ?? '')) {
        throw new SyncError('currency_mismatch', `the cart is in ${other.currency ?? 'no currency'}, the line in ${currency ?? 'none'}`);
      }
      const total = (existing?.qty ?? 0) + qty;
      if (total > LIMITS.qtyMax) throw new SyncError('bad_request', `qty would exceed ${LIMITS.qtyMax}`);
      // Title, price, currency and attributes follow the newest add.
      return { type: 'cart:line', sku, line: cartLine({ sku, title, priceCents, qty: total, currency, attributes }) };
    }
    case 'cart:set': {
      const { sku, qty } = mutation.request;
      const existing = lines.get(sku);
      if (!existing) throw new SyncError('not_found', `no cart line for ${sku}`);
      return { type: 'cart:line', sku, line: qty === 0 ? null : { ...existing, qty } };
    }
    case 'cart:remove': {
      const { sku } = mutation.request;
      return lines.has(sku) ? { type: 'cart:line', sku, line: null } : { type: 'noop' };
    }
    case 'cart:clear':
      return { type: 'cart:clear' };
  }
}

/** A line with its optional fields present only when they carry something (both engines store the same JSON). */
export function cartLine(fields: CartLine): CartLine {
  const { currency, attributes, ...line } = fields;
  return {
    ...line,
    ...(currency !== undefined ? { currency } : {}),
    ...(attributes !== undefined && Object.keys(attributes).length > 0 ? { attributes: { ...attributes } } : {}),
  };
}

/** Applies a committed cart Op to a cart (the delta is idempotent: applying it twice is harmless). */
export function applyCartOp(lines: Map<string, CartLine>, op: Op): void {
  if (op.type === 'cart:line') {
    if (op.line) lines.set(op.sku, structuredClone(op.line));
    else lines.delete(op.sku);
  } else if (op.type === 'cart:clear' || (op.type === 'cart:unfreeze' && op.cleared)) {
    lines.clear();
  } else if (op.type === 'merge') {
    lines.clear();
    for (const line of op.cart) lines.set(line.sku, structuredClone(line));
  }
}

/** Snapshot order of cart lines: by sku. */
export function sortCartLines(lines: Iterable<CartLine>): CartLine[] {
  return [...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

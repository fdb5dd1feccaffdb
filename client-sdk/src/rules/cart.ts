import { LIMITS, type CartAddRequest, type CartLine, type CartRemoveRequest, type CartSetRequest, type Op } from '../protocol/index.js';
import { commitOp, refuse, type Decision } from './decision.js';

/** A cart mutation as the rules see it (its `seq`, if any, plays no part). */
export type CartMutation =
  | { readonly event: 'cart:add'; readonly request: Omit<CartAddRequest, 'seq'> }
  | { readonly event: 'cart:set'; readonly request: Omit<CartSetRequest, 'seq'> }
  | { readonly event: 'cart:remove'; readonly request: Omit<CartRemoveRequest, 'seq'> }
  | { readonly event: 'cart:clear'; readonly request: object };

/**
 * What a (validated) cart request does to the cart: the delta to commit, or a refusal (`bad_request` past a
 * limit, `not_found`) that changes nothing. `lines` is only read. The memory engine commits it, the SDK
 * predicts with it, and `mutate-cart.lua` is Redis's side of the same rules (held equal by
 * test/engine/engine-equivalence.test.ts).
 */
export function decideCart(lines: ReadonlyMap<string, CartLine>, mutation: CartMutation): Decision {
  switch (mutation.event) {
    case 'cart:add': {
      const { sku, title, priceCents, qty, currency, attributes } = mutation.request;
      const existing = lines.get(sku);
      if (!existing && lines.size >= LIMITS.cartLines) return refuse('bad_request', `a cart holds at most ${LIMITS.cartLines} lines`);
      // Every line shares the cart's currency, so any one line tells it (the Lua script reads a random one).
      const other = lines.values().next().value;
      if (other && (other.currency ?? '') !== (currency ?? '')) {
        return refuse('currency_mismatch', `the cart is in ${other.currency ?? 'no currency'}, the line in ${currency ?? 'none'}`);
      }
      const total = (existing?.qty ?? 0) + qty;
      if (total > LIMITS.qtyMax) return refuse('bad_request', `qty would exceed ${LIMITS.qtyMax}`);
      // Title, price, currency and attributes follow the newest add.
      return commitOp({ type: 'cart:line', sku, line: cartLine({ sku, title, priceCents, qty: total, currency, attributes }) });
    }
    case 'cart:set': {
      const { sku, qty } = mutation.request;
      const existing = lines.get(sku);
      if (!existing) return refuse('not_found', `no cart line for ${sku}`);
      return commitOp({ type: 'cart:line', sku, line: qty === 0 ? null : { ...existing, qty } });
    }
    case 'cart:remove': {
      const { sku } = mutation.request;
      return commitOp(lines.has(sku) ? { type: 'cart:line', sku, line: null } : { type: 'noop' });
    }
    case 'cart:clear':
      return commitOp({ type: 'cart:clear' });
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

/** Whether a committed delta changes the cart's lines. */
export function touchesCart(op: Op): boolean {
  return op.type === 'cart:line' || op.type === 'cart:clear' || op.type === 'merge' || (op.type === 'cart:unfreeze' && op.cleared);
}

/**
 * Applies a committed delta to a cart in place (a delta carries the new value: applying it twice is harmless).
 * Lines are copied with cartLine (flat fields and a flat attributes record): structuredClone cost ~2 µs a line,
 * most of the SDK's CPU when it replays its pending mutations.
 */
export function applyCartOp(lines: Map<string, CartLine>, op: Op): void {
  if (op.type === 'cart:line') {
    if (op.line) lines.set(op.sku, cartLine(op.line));
    else lines.delete(op.sku);
  } else if (op.type === 'cart:clear' || (op.type === 'cart:unfreeze' && op.cleared)) {
    lines.clear();
  } else if (op.type === 'merge') {
    lines.clear();
    for (const line of op.cart) lines.set(line.sku, cartLine(line));
  }
}

/** Snapshot order of cart lines: by sku. */
export function sortCartLines(lines: Iterable<CartLine>): CartLine[] {
  return [...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

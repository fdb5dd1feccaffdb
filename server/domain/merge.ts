import { LIMITS, type CartLine, type WatchEntry } from '../../client-sdk/src/protocol/index.ts';
import { cartLine, sortCartLines } from '../../client-sdk/src/rules/index.ts';
import { SyncError } from '../errors.ts';
import type { MergeRequest } from '../engine/domain-ops.ts';

export interface MergePlan {
  /** The account's whole cart after the merge, by sku. */
  cart: CartLine[];
  /** Guest entries that win (newer than the account's, or new to it). */
  watch: WatchEntry[];
  /** Entries dropped to keep the cap (oldest first). */
  trimmed: string[];
  /** Guest skus left out because the cart was full. */
  dropped: string[];
}

/** Oldest first (by updatedAt, then videoId), the order in which watch entries are trimmed. */
function olderFirst(a: WatchEntry, b: WatchEntry): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt - b.updatedAt;
  return a.videoId < b.videoId ? -1 : a.videoId > b.videoId ? 1 : 0;
}

function mergeCarts(account: ReadonlyMap<string, CartLine>, guest: readonly CartLine[], request: MergeRequest) {
  const dropped: string[] = [];
  if (guest.length === 0) return { cart: sortCartLines(account.values()), dropped };
  if (request.mode === 'replace') return { cart: sortCartLines(guest), dropped };
  const accountCurrency = account.values().next().value?.currency;
  const guestCurrency = guest[0]?.currency;
  if (account.size > 0 && (accountCurrency ?? '') !== (guestCurrency ?? '')) {
    throw new SyncError('currency_mismatch', `the account's cart is in ${accountCurrency ?? 'no currency'}, the guest's in ${guestCurrency ?? 'none'}`);
  }
  const merged = new Map(account);
  for (const line of sortCartLines(guest)) {
    const existing = merged.get(line.sku);
    if (existing) {
      const qty = request.quantities === 'sum' ? Math.min(LIMITS.qtyMax, existing.qty + line.qty) : Math.max(existing.qty, line.qty);
      // The guest's line is the newer add: its title, price and attributes win, as with a second add.
      merged.set(line.sku, cartLine({ ...line, qty }));
    } else if (merged.size < LIMITS.cartLines) {
      merged.set(line.sku, cartLine(line));
    } else {
      dropped.push(line.sku);
    }
  }
  return { cart: sortCartLines(merged.values()), dropped };
}

/**
 * What merging a guest into an account does, decided once in TypeScript for both engines (the Redis engine
 * applies the plan with a compare-and-set on the account's version). Pure.
 * Cart: `replace` takes the guest's cart when it has lines; `merge` adds the guest's lines (a sku in both
 * gets `sum` or `max` of the quantities, capped, and the guest's title and price), one currency per cart.
 * Watch: per video the newer entry (by updatedAt) wins; past the cap the oldest entries are trimmed.
 */
export function planMerge(
  account: { cart: ReadonlyMap<string, CartLine>; watch: ReadonlyMap<string, WatchEntry> },
  guest: { cart: readonly CartLine[]; watch: readonly WatchEntry[] },
  request: MergeRequest,
): MergePlan {
  const { cart, dropped } = mergeCarts(account.cart, guest.cart, request);
  const winners = guest.watch
    .filter((entry) => {
      const mine = account.watch.get(entry.videoId);
      return !mine || entry.updatedAt > mine.updatedAt;
    })
    .sort(olderFirst);
  const all = new Map(account.watch);
  for (const entry of winners) all.set(entry.videoId, entry);
  const excess = all.size - LIMITS.watchEntries;
  const trimmedEntries = excess > 0 ? [...all.values()].sort(olderFirst).slice(0, excess) : [];
  const trimmed = new Set(trimmedEntries.map((e) => e.videoId));
  return {
    cart,
    watch: winners.filter((e) => !trimmed.has(e.videoId)),
    trimmed: trimmedEntries.filter((e) => account.watch.has(e.videoId)).map((e) => e.videoId),
    dropped,
  };
}

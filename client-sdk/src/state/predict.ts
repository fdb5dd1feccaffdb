import { LIMITS, type CartLine, type WatchEntry, type WatchReportRequest } from '../protocol/index.js';
import type { MutationBody } from './mutation-body.js';
import type { StateData } from './server-state.js';

/** The local effect of a mutation the server has not confirmed yet: the same rules as the server's engines. */
export function predict<S extends StateData>(state: S, mutation: MutationBody, deviceId: string): S {
  switch (mutation.event) {
    case 'cart:add': {
      const { sku, title, priceCents, qty, currency, attributes } = mutation.request;
      const existing = state.cart.get(sku);
      const line: CartLine = {
        sku,
        title,
        priceCents,
        qty: Math.min(LIMITS.qtyMax, (existing?.qty ?? 0) + qty),
        ...(currency !== undefined ? { currency } : {}),
        ...(attributes !== undefined && Object.keys(attributes).length > 0 ? { attributes } : {}),
      };
      return { ...state, cart: new Map(state.cart).set(sku, line) };
    }
    case 'cart:set': {
      const { sku, qty } = mutation.request;
      const existing = state.cart.get(sku);
      if (!existing) return state;
      const cart = new Map(state.cart);
      if (qty === 0) cart.delete(sku);
      else cart.set(sku, { ...existing, qty });
      return { ...state, cart };
    }
    case 'cart:remove': {
      if (!state.cart.has(mutation.request.sku)) return state;
      const cart = new Map(state.cart);
      cart.delete(mutation.request.sku);
      return { ...state, cart };
    }
    case 'cart:clear':
      return state.cart.size === 0 ? state : { ...state, cart: new Map() };
    case 'watch:report': {
      const entry = predictWatch(state.watch.get(mutation.request.videoId), mutation.request, deviceId);
      return entry ? { ...state, watch: new Map(state.watch).set(entry.videoId, entry) } : state;
    }
    case 'watch:remove': {
      if (!state.watch.has(mutation.request.videoId)) return state;
      const watch = new Map(state.watch);
      watch.delete(mutation.request.videoId);
      return { ...state, watch };
    }
  }
}

/** The entry after a report, or null when the report loses (an older event time). */
export function predictWatch(
  stored: WatchEntry | undefined,
  report: Omit<WatchReportRequest, 'seq'>,
  deviceId: string,
): WatchEntry | null {
  if (stored && report.at <= stored.updatedAt) return null;
  const wanted =
    report.kind === 'progress' && stored ? Math.max(stored.positionSec, report.positionSec) : report.positionSec;
  const positionSec = Math.min(wanted, report.durationSec);
  return {
    videoId: report.videoId,
    positionSec,
    durationSec: report.durationSec,
    updatedAt: report.at,
    deviceId,
    completed: positionSec >= LIMITS.completedFraction * report.durationSec,
  };
}

/** Rebase: the server's state with the still-pending mutations replayed on top, in their order. */
export function rebase<S extends StateData>(server: S, pending: readonly MutationBody[], deviceId: string): S {
  let state = server;
  for (const mutation of pending) state = predict(state, mutation, deviceId);
  return state;
}

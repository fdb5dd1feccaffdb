import { MUTATION_SCHEMAS, WatchReportRequest, describeIssue, freezeHolds, type CartFreeze, type SchemaError, type WatchRules } from '../protocol/index.js';
import { SyncClientError } from '../errors.js';
import type { MutationBody } from '../state/mutation-body.js';
import { decide } from '../state/predict.js';
import type { StateData } from '../state/server-state.js';
import type { ClockOffset } from '../sync/clock-offset.js';
import type { CartApi, MutationAck, WatchApi } from '../types.js';
import type { Timers } from '../util/timers.js';
import type { WatchReport, WatchThrottle } from '../watch/watch-throttle.js';
import type { ViewStore } from './view-store.js';

/** The SDK method a mutation comes from, as the app wrote it: `cart:add` is `cart.add`. */
const methodOf = (event: string) => event.replace(':', '.');

/** `cart.add: qty must be between 1 and 999`: the method, the field and the limit it broke. */
function invalid(event: string, error: SchemaError): SyncClientError {
  const issue = error.issues[0];
  return new SyncClientError('bad_request', `${methodOf(event)}: ${issue ? describeIssue(issue) : 'invalid'}`);
}

/** The protocol's limits, checked before a mutation is queued: a bad call fails at once and never reaches the outbox. */
export function checkMutation(body: MutationBody): SyncClientError | null {
  const check = MUTATION_SCHEMAS[body.event].safeParse({ ...body.request, seq: 1 });
  return check.success ? null : invalid(body.event, check.error);
}

/**
 * The server's refusal of a mutation on the state this client shows (a line past 999, a missing line), as the
 * same typed error, so the call fails at once instead of after a round trip; null when the rules accept it.
 */
export function refusedByRules(state: StateData, body: MutationBody, deviceId: string, watchRules: WatchRules): SyncClientError | null {
  const decision = decide(state, body, deviceId, watchRules);
  return decision.ok ? null : new SyncClientError(decision.error.code, `${methodOf(body.event)}: ${decision.error.message}`);
}

export function createCartApi(
  mutate: (body: MutationBody) => Promise<MutationAck>,
  views: ViewStore,
  /** The freeze in the synced state and the current server time, for `frozen`. */
  freeze: () => { freeze: CartFreeze | null; serverNow: number },
): CartApi {
  return {
    get: views.cart,
    get frozen() {
      const { freeze: current, serverNow } = freeze();
      return freezeHolds(current, serverNow) ? current : null;
    },
    add: ({ sku, title, priceCents, qty = 1, currency, attributes, offer }) =>
      mutate({
        event: 'cart:add',
        request: {
          sku,
          title,
          priceCents,
          qty,
          ...(currency !== undefined ? { currency } : {}),
          ...(attributes !== undefined ? { attributes } : {}),
          ...(offer !== undefined ? { offer } : {}),
        },
      }),
    setQuantity: (sku, qty) => mutate({ event: 'cart:set', request: { sku, qty } }),
    remove: (sku) => mutate({ event: 'cart:remove', request: { sku } }),
    clear: () => mutate({ event: 'cart:clear', request: {} }),
    subscribe: views.onCart,
  };
}

export interface WatchApiDeps {
  views: ViewStore;
  /** Queues a mutation (watch:remove goes through the outbox like a cart edit). */
  mutate: (body: MutationBody) => Promise<MutationAck>;
  throttle: WatchThrottle<MutationAck>;
  clock: ClockOffset;
  timers: Timers;
  /** The error to reject with when the client can take no more changes, else null. */
  refusal(): SyncClientError | null;
}

export function createWatchApi(deps: WatchApiDeps): WatchApi {
  const { views } = deps;
  // A report wins only with a later event time than the stored one, so two reports of this device in the
  // same millisecond (a pause, then a seek) must not share one: the later call would silently lose.
  let lastAt = 0;
  return {
    get: (videoId) => views.watch().entries.get(videoId),
    continueWatching: () => views.watch().continueWatching,
    view: views.watch,
    report(videoId, positionSec, durationSec, options = {}) {
      const refused = deps.refusal();
      if (refused) return Promise.reject(refused);
      const event = options.event ?? 'progress';
      // The event time, in server time: a device with a wrong clock must not win (or lose) by it.
      const at = Math.max(Math.round(deps.clock.toServerTime(deps.timers.now())), lastAt + 1);
      // Only the throttled reports while playing keep positions monotonic: a pause, a seek and a close say where
      // the user is, and are taken even at an earlier position (README "Watch progress").
      const report: WatchReport = { videoId, positionSec, durationSec, at, kind: event === 'progress' ? 'progress' : 'seek' };
      const check = WatchReportRequest.safeParse({ ...report, seq: 1 });
      if (!check.success) {
        return Promise.reject(invalid('watch:report', check.error));
      }
      lastAt = at;
      return deps.throttle.report(report, event);
    },
    remove(videoId) {
      const removal = deps.mutate({ event: 'watch:remove', request: { videoId } });
      deps.throttle.supersede(videoId, removal);
      return removal;
    },
    subscribe: views.onWatch,
  };
}

/**
 * What the tabs of one device say to each other over their BroadcastChannel. Another tab is another program
 * (another version of the app, a script in the console), so every message is validated like server input,
 * with the protocol's own validator; payload parts reuse the protocol's schemas.
 */
import { CartFreeze, CartLine, Change, Device, ERROR_CODES, LIMITS, PlaybackHandoff, WatchEntry } from '../protocol/index.js';
import * as s from '../protocol/schema/index.js';

const Id = s.string({ min: 1, max: 64 });
const Count = s.int({ min: 0 });
const Text = s.string({ max: 2000 });
const Num = s.number();

/** Arguments by position; the trailing ones from `required` on may be left out. */
function args(items: readonly s.AnySchema[], required = items.length): s.Schema<unknown[]> {
  return s.refine(
    s.array(s.unknown(), { min: required, max: items.length }),
    (given) => given.every((value, i) => items[i]?.safeParse(value).success === true),
    'arguments do not fit',
  );
}

/** The methods a tab may ask the leader's client to run, with their arguments (checked again by the client). */
export const TAB_CALLS = {
  'cart.add': args([s.record(s.string(), s.unknown())]),
  'cart.setQuantity': args([s.string(), Num]),
  'cart.remove': args([s.string()]),
  'cart.clear': args([]),
  'watch.report': args([s.string(), Num, Num, s.object({ event: s.optional(s.string()) })], 3),
  'watch.remove': args([s.string()]),
  'devices.signOut': args([s.string()]),
  'playback.handoff': args([s.string(), s.object({ videoId: s.string(), positionSec: Num })]),
  goOffline: args([]),
  goOnline: args([]),
  reconnectNow: args([]),
  /** The network or the page came back in a follower tab: the leader ends a reconnect wait (see reconnectsOnWake). */
  wake: args([]),
  signOut: args([s.object({ everywhere: s.optional(s.boolean()) })], 0),
} as const;
export type TabCallMethod = keyof typeof TAB_CALLS;
export const TAB_CALL_METHODS = Object.keys(TAB_CALLS) as [TabCallMethod, ...TabCallMethod[]];

const TabError = s.object({ code: s.enumOf([...ERROR_CODES, 'closed']), message: Text });
export type TabError = s.Infer<typeof TabError>;

export const TabConnection = s.union('status', [
  s.object({ status: s.literal('connecting'), url: s.string(), attempt: Count }),
  s.object({ status: s.literal('connected'), url: s.string(), nodeId: s.string() }),
  s.object({
    status: s.literal('offline'),
    reason: s.enumOf(['manual', 'network', 'drain', 'superseded']),
    attempt: Count,
    retryAt: s.nullable(Num),
  }),
  s.object({ status: s.literal('unauthorized'), error: TabError }),
  s.object({ status: s.literal('closed') }),
]);
export type TabConnection = s.Infer<typeof TabConnection>;

/** Everything a tab shows, as the leader's client has it. */
export const TabState = s.object({
  connection: TabConnection,
  deviceId: s.nullable(s.string()),
  pendingCount: Count,
  version: Count,
  epoch: s.nullable(s.string()),
  clockOffsetMs: Num,
  cart: s.object({ items: s.array(CartLine, { max: LIMITS.cartLines }), version: Count }),
  frozen: s.nullable(CartFreeze),
  watch: s.object({ entries: s.array(WatchEntry, { max: LIMITS.watchEntries }), version: Count }),
  devices: s.array(Device, { max: 64 }),
});
export type TabState = s.Infer<typeof TabState>;

const ChangeEvent = s.object({
  type: s.literal('change'),
  change: Change,
  source: s.enumOf(['push', 'ack', 'sync']),
  nodeId: s.nullable(s.string()),
  own: s.boolean(),
  backend: s.boolean(),
});
const SnapshotEvent = s.object({ type: s.literal('snapshot'), epoch: s.string(), version: Count, nodeId: s.nullable(s.string()) });
const LostEvent = s.object({
  reason: s.literal('store_regressed'),
  epoch: s.string(),
  fromVersion: Count,
  toVersion: Count,
  changes: s.array(Change, { max: LIMITS.changeLog }),
  own: Count,
});

export const TabEvent = s.union('kind', [
  s.object({ kind: s.literal('change'), event: s.union('type', [ChangeEvent, SnapshotEvent]) }),
  s.object({ kind: s.literal('lost'), event: LostEvent }),
  s.object({ kind: s.literal('error'), error: TabError }),
  /** The user signed out in some tab: every tab closes. */
  s.object({ kind: s.literal('signed-out') }),
  /** Another device handed a video to this one: every tab hears it (the app picks the one that plays). */
  s.object({ kind: s.literal('handoff'), event: PlaybackHandoff }),
]);
export type TabEvent = s.Infer<typeof TabEvent>;

const Ack = s.object({ version: Count, seq: Count, duplicate: s.boolean() });
const Result = s.union('ok', [s.object({ ok: s.literal(true), value: s.optional(Ack) }), s.object({ ok: s.literal(false), error: TabError })]);

/** From a tab to the leader. */
export const ToLeader = s.union('t', [
  /** A tab (re)joined: send the state. */
  s.object({ t: s.literal('hello'), tab: Id }),
  s.object({ t: s.literal('call'), tab: Id, id: Id, method: s.enumOf(TAB_CALL_METHODS), args: s.array(s.unknown(), { max: 4 }) }),
  /** After a handover: report on the stored mutation `seq` that an earlier leader queued for this call. */
  s.object({ t: s.literal('follow'), tab: Id, id: Id, seq: Count }),
]);
export type ToLeader = s.Infer<typeof ToLeader>;

/** From the leader to the tabs; `host` names the leader instance, so a tab notices a handover. */
export const FromLeader = s.union('t', [
  s.object({ t: s.literal('state'), host: Id, state: TabState }),
  s.object({ t: s.literal('event'), host: Id, event: TabEvent }),
  /** The call's mutation is in the stored outbox as `seq`: a later leader sends it, so it must not be resent. */
  s.object({ t: s.literal('stored'), host: Id, tab: Id, id: Id, seq: Count }),
  s.object({ t: s.literal('reply'), host: Id, tab: Id, id: Id, result: Result }),
]);
export type FromLeader = s.Infer<typeof FromLeader>;

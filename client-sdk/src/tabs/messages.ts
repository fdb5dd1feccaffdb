/**
 * What the tabs of one device say to each other over their BroadcastChannel. Another tab is another program
 * (another version of the app, a script in the console), so every message is validated like server input.
 * Payload parts reuse the protocol's schemas; the envelopes are zod/mini to stay small in the bundle.
 */
import * as z from 'zod/mini';
import { CartFreeze, CartLine, Change, Device, ErrorCode, LIMITS, WatchEntry } from '../protocol/index.js';

const Id = z.string().check(z.minLength(1), z.maxLength(64));
const Count = z.number().check(z.int(), z.nonnegative());

/** The methods a tab may ask the leader's client to run, with their arguments (checked again by the client). */
export const TAB_CALLS = {
  'cart.add': z.tuple([z.record(z.string(), z.unknown())]),
  'cart.setQuantity': z.tuple([z.string(), z.number()]),
  'cart.remove': z.tuple([z.string()]),
  'cart.clear': z.tuple([]),
  'watch.report': z.tuple([z.string(), z.number(), z.number(), z.optional(z.object({ event: z.optional(z.string()) }))]),
  'watch.remove': z.tuple([z.string()]),
  'devices.signOut': z.tuple([z.string()]),
  goOffline: z.tuple([]),
  goOnline: z.tuple([]),
  reconnectNow: z.tuple([]),
  signOut: z.tuple([z.optional(z.object({ everywhere: z.optional(z.boolean()) }))]),
} as const;
export type TabCallMethod = keyof typeof TAB_CALLS;
export const TAB_CALL_METHODS = Object.keys(TAB_CALLS) as TabCallMethod[];

const TabError = z.object({ code: z.union([ErrorCode, z.literal('closed')]), message: z.string().check(z.maxLength(2000)) });
export type TabError = z.infer<typeof TabError>;

export const TabConnection = z.discriminatedUnion('status', [
  z.object({ status: z.literal('connecting'), url: z.string(), attempt: Count }),
  z.object({ status: z.literal('connected'), url: z.string(), nodeId: z.string() }),
  z.object({
    status: z.literal('offline'),
    reason: z.enum(['manual', 'network', 'drain', 'superseded']),
    attempt: Count,
    retryAt: z.nullable(z.number()),
  }),
  z.object({ status: z.literal('unauthorized'), error: TabError }),
  z.object({ status: z.literal('closed') }),
]);
export type TabConnection = z.infer<typeof TabConnection>;

/** Everything a tab shows, as the leader's client has it. */
export const TabState = z.object({
  connection: TabConnection,
  deviceId: z.nullable(z.string()),
  pendingCount: Count,
  version: Count,
  epoch: z.nullable(z.string()),
  clockOffsetMs: z.number(),
  cart: z.object({ items: z.array(CartLine).check(z.maxLength(LIMITS.cartLines)), version: Count }),
  frozen: z.nullable(CartFreeze),
  watch: z.object({ entries: z.array(WatchEntry).check(z.maxLength(LIMITS.watchEntries)), version: Count }),
  devices: z.array(Device).check(z.maxLength(64)),
});
export type TabState = z.infer<typeof TabState>;

const ChangeEvent = z.object({
  type: z.literal('change'),
  change: Change,
  source: z.enum(['push', 'ack', 'sync']),
  nodeId: z.nullable(z.string()),
  own: z.boolean(),
  backend: z.boolean(),
});
const SnapshotEvent = z.object({ type: z.literal('snapshot'), epoch: z.string(), version: Count, nodeId: z.nullable(z.string()) });
const LostEvent = z.object({
  reason: z.literal('store_regressed'),
  epoch: z.string(),
  fromVersion: Count,
  toVersion: Count,
  changes: z.array(Change).check(z.maxLength(LIMITS.changeLog)),
  own: Count,
});

export const TabEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('change'), event: z.discriminatedUnion('type', [ChangeEvent, SnapshotEvent]) }),
  z.object({ kind: z.literal('lost'), event: LostEvent }),
  z.object({ kind: z.literal('error'), error: TabError }),
  /** The user signed out in some tab: every tab closes. */
  z.object({ kind: z.literal('signed-out') }),
]);
export type TabEvent = z.infer<typeof TabEvent>;

const Ack = z.object({ version: Count, seq: Count, duplicate: z.boolean() });

/** From a tab to the leader. */
export const ToLeader = z.discriminatedUnion('t', [
  /** A tab (re)joined: send the state. */
  z.object({ t: z.literal('hello'), tab: Id }),
  z.object({ t: z.literal('call'), tab: Id, id: Id, method: z.enum(TAB_CALL_METHODS), args: z.array(z.unknown()).check(z.maxLength(4)) }),
  /** After a handover: report on the stored mutation `seq` that an earlier leader queued for this call. */
  z.object({ t: z.literal('follow'), tab: Id, id: Id, seq: Count }),
]);
export type ToLeader = z.infer<typeof ToLeader>;

/** From the leader to the tabs; `host` names the leader instance, so a tab notices a handover. */
export const FromLeader = z.discriminatedUnion('t', [
  z.object({ t: z.literal('state'), host: Id, state: TabState }),
  z.object({ t: z.literal('event'), host: Id, event: TabEvent }),
  /** The call's mutation is in the stored outbox as `seq`: a later leader sends it, so it must not be resent. */
  z.object({ t: z.literal('stored'), host: Id, tab: Id, id: Id, seq: Count }),
  z.object({
    t: z.literal('reply'),
    host: Id,
    tab: Id,
    id: Id,
    result: z.union([z.object({ ok: z.literal(true), value: z.optional(Ack) }), z.object({ ok: z.literal(false), error: TabError })]),
  }),
]);
export type FromLeader = z.infer<typeof FromLeader>;

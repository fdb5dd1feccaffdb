import {
  CartAddRequest,
  CartClearRequest,
  CartRemoveRequest,
  CartSetRequest,
} from './cart.js';
import { Change } from './changes.js';
import { Epoch, Version } from './primitives.js';
import { WatchRemoveRequest, WatchReportRequest } from './watch.js';
import * as s from './schema/index.js';

/** Requests that change state. Each carries the device's `seq`; (deviceId, seq) makes a resend harmless. */
export const MUTATION_SCHEMAS = {
  'cart:add': CartAddRequest,
  'cart:set': CartSetRequest,
  'cart:remove': CartRemoveRequest,
  'cart:clear': CartClearRequest,
  'watch:report': WatchReportRequest,
  'watch:remove': WatchRemoveRequest,
} as const;
export type MutationEvent = keyof typeof MUTATION_SCHEMAS;
export type MutationRequest<E extends MutationEvent = MutationEvent> = s.Infer<(typeof MUTATION_SCHEMAS)[E]>;
/** A mutation tagged with its event, as the SDK's outbox and the server's engines carry it. */
export type Mutation = { [E in MutationEvent]: { event: E; request: MutationRequest<E> } }[MutationEvent];

export const MUTATION_EVENTS = Object.keys(MUTATION_SCHEMAS) as MutationEvent[];

export function isMutationEvent(event: string): event is MutationEvent {
  return Object.prototype.hasOwnProperty.call(MUTATION_SCHEMAS, event);
}

/** The success payload of a mutation: the committed change, or `duplicate` for a resend of an applied one. */
export const MutationResult = s.object({
  epoch: Epoch,
  /** The version that includes this mutation (for a duplicate: a version at or after the one it committed at). */
  version: Version,
  duplicate: s.boolean(),
  /** The committed change; absent for a duplicate. */
  change: s.optional(Change),
});
export type MutationResult = s.Infer<typeof MutationResult>;


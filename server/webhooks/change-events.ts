import type { Change } from '../../client-sdk/src/protocol/index.ts';
import type { EventType } from './events.ts';

/** An event a change causes, before the store records it; `key` makes it debounced (coalesced per key). */
export interface ChangeEvent {
  type: EventType;
  data: Record<string, unknown>;
  key?: string;
}

/**
 * The events one committed change causes: the memory engine's side of outbox_change in scripts/outbox.lua
 * (the two are held to each other by the outbox contract suite). `crossedCompleted`: this change took the
 * video past the completed threshold.
 */
export function eventsOfChange(change: Change, crossedCompleted: boolean): ChangeEvent[] {
  const op = change.op;
  switch (op.type) {
    case 'cart:line':
    case 'cart:clear':
      return [{ type: 'cart.updated', data: {}, key: 'cart' }];
    case 'cart:unfreeze':
      return op.cleared
        ? [
            { type: 'cart.checkout.completed', data: { checkoutId: op.checkoutId } },
            { type: 'cart.updated', data: {}, key: 'cart' },
          ]
        : [];
    case 'watch':
      return crossedCompleted
        ? [{ type: 'watch.completed', data: { entry: op.entry } }]
        : [{ type: 'watch.progress', data: { entry: op.entry }, key: `w:${op.entry.videoId}` }];
    default:
      return [];
  }
}

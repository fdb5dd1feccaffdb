import { z } from 'zod';
import type { PublicEvent, SealedEvent } from './outbox.ts';

/** Every event a webhook endpoint may subscribe to (the body's `type`). */
export const EVENT_TYPES = [
  'cart.updated',
  'cart.checkout.completed',
  'watch.completed',
  'watch.progress',
  'device.connected',
  'device.disconnected',
  'device.signed_out',
  'user.merged',
  'user.erased',
  'changes.lost',
  'events.dropped',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/** Off unless an endpoint names it: a report every few seconds per viewer is a lot of deliveries. */
export const OPT_IN_EVENTS: readonly EventType[] = ['watch.progress'];
/** Sent to every endpoint whatever it subscribed to: it says events are missing. */
export const ALWAYS_SENT: readonly EventType[] = ['events.dropped'];

// The shapes of a cart line and a watch entry as the protocol defines them (client-sdk/src/protocol), for documentation.
const CartLine = z.object({ sku: z.string(), title: z.string(), priceCents: z.number().int(), qty: z.number().int(), currency: z.string().optional(), attributes: z.record(z.string(), z.string()).optional() });
const WatchEntry = z.object({ videoId: z.string(), positionSec: z.number(), durationSec: z.number(), updatedAt: z.number(), deviceId: z.string(), completed: z.boolean() });
const user = { userId: z.string() };
const versioned = { ...user, version: z.number().int() };

/** The `data` of each event type, as receivers get it. */
export const EVENT_DATA = {
  'cart.updated': z.strictObject({ ...versioned, epoch: z.string(), cart: z.array(CartLine) }).describe('the cart after the last change of a burst (debounced per user), at `version`'),
  'cart.checkout.completed': z.strictObject({ ...versioned, checkoutId: z.string() }).describe('a checkout completed: the order exists, the cart was emptied'),
  'watch.completed': z.strictObject({ ...versioned, entry: WatchEntry }).describe('a video passed the completed threshold'),
  'watch.progress': z.strictObject({ ...versioned, entry: WatchEntry }).describe('the position of a video (debounced per user and video; opt-in)'),
  'device.connected': z.strictObject({ ...user, deviceId: z.string(), name: z.string(), kind: z.string() }).describe('a device came online'),
  'device.disconnected': z.strictObject({ ...user, deviceId: z.string() }).describe('a device went offline and did not come back within the grace'),
  'device.signed_out': z.strictObject({ ...user, deviceId: z.string().nullable() }).describe('a device (or, with null, every device) was signed out'),
  'user.merged': z.strictObject({ ...versioned, fromUserId: z.string() }).describe('a guest was merged into this user'),
  'user.erased': z.strictObject(user).describe('every key of the user was erased'),
  'changes.lost': z.strictObject({ ...user, epoch: z.string(), fromVersion: z.number().int(), toVersion: z.number().int() }).describe('the store lost acknowledged changes of the user'),
  'events.dropped': z.strictObject({ ...user, count: z.number().int() }).describe("the user's outbox was full: this many events were not recorded"),
} satisfies Record<EventType, z.ZodType>;

/** The body of a delivery and of a pull API item: the same id, type, time and data. */
export function publicEvent(userId: string, event: SealedEvent & { type: EventType }): PublicEvent {
  const data: Record<string, unknown> = { userId, ...event.data };
  if (event.version !== undefined && !('version' in event.data)) data.version = event.version;
  return { id: event.id, type: event.type, timestamp: new Date(event.at).toISOString(), data };
}

/** Whether an endpoint subscribed to `events` gets this one. */
export function subscribes(events: readonly EventType[], type: EventType | 'skip'): boolean {
  if (type === 'skip') return false;
  return ALWAYS_SENT.includes(type) || events.includes(type);
}

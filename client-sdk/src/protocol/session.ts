import { EndingReason } from './errors.js';
import { Millis } from './primitives.js';
import * as s from './schema/index.js';

/** Pushed before the server closes a connection on purpose. */
export const SessionEnding = s.object({
  reason: EndingReason,
  message: s.string({ max: 500 }),
  /** With `drain`: wait this long, then reconnect (to any node). */
  reconnectAfterMs: s.optional(s.int({ min: 0, max: 600_000 })),
});
export type SessionEnding = s.Infer<typeof SessionEnding>;

/** Sent in answer to `sync:since`, so the client can estimate its clock offset and show its node. */
export const ServerInfo = s.object({ nodeId: s.string({ max: 128 }), serverTime: Millis });
export type ServerInfo = s.Infer<typeof ServerInfo>;

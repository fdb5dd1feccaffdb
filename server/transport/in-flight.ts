import { LIMITS } from '../../client-sdk/src/protocol/index.ts';
import { SyncError } from '../errors.ts';
import type { Session } from './session.ts';

export interface InFlightLimits {
  /** @default LIMITS.inFlightPerConnection */
  perConnection: number;
  /** @default LIMITS.inFlightPerUser */
  perUser: number;
}

/**
 * Bounds the requests unanswered at once, per connection and per user on this node: a client that sends
 * without waiting for answers cannot pile up work (and Redis replies) behind its requests. Within the rate
 * limit a user could otherwise keep hundreds of reads outstanding.
 */
export interface InFlight {
  /** Counts a request in; throws `rate_limited` (nothing counted) when a bound is reached. */
  enter(session: Session): void;
  /** Counts an entered request out, once its answer is written. */
  leave(session: Session): void;
  /** Requests in flight of `userId` on this node. */
  ofUser(userId: string): number;
}

export function createInFlight(limits: InFlightLimits = { perConnection: LIMITS.inFlightPerConnection, perUser: LIMITS.inFlightPerUser }): InFlight {
  const perUser = new Map<string, number>();
  return {
    enter(session) {
      if (session.inFlight >= limits.perConnection) {
        throw new SyncError('rate_limited', `at most ${limits.perConnection} requests may wait for an answer on one connection; wait for the answers before sending more`);
      }
      const user = perUser.get(session.userId) ?? 0;
      if (user >= limits.perUser) {
        throw new SyncError('rate_limited', `at most ${limits.perUser} requests of one user may wait for an answer on one node; wait for the answers before sending more`);
      }
      session.inFlight += 1;
      perUser.set(session.userId, user + 1);
    },
    leave(session) {
      session.inFlight = Math.max(0, session.inFlight - 1);
      const user = (perUser.get(session.userId) ?? 1) - 1;
      if (user <= 0) perUser.delete(session.userId);
      else perUser.set(session.userId, user);
    },
    ofUser: (userId) => perUser.get(userId) ?? 0,
  };
}

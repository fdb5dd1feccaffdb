import { ErrorCode } from '../../../client-sdk/src/protocol/index.ts';
import { SyncError } from '../../errors.ts';

/** Reply errors that mean "Redis cannot serve right now" (loading, failover, cluster reconfiguring...). */
const TRANSIENT_REPLIES = ['LOADING', 'CLUSTERDOWN', 'TRYAGAIN', 'MASTERDOWN', 'READONLY', 'BUSY', 'NOREPLICAS', 'MOVED', 'ASK'];

/** ioredis' ReplyError (not exported with a type): an error answered by Redis, carrying its text. */
function isReplyError(err: Error): boolean {
  return err.name === 'ReplyError';
}

/**
 * Maps what a Redis call threw to a SyncError: our scripts answer `<code> <message>`; Redis being away
 * (timeouts, closed connections, retries exhausted, cluster not ready) is `unavailable`. Any other reply
 * error is a bug and is rethrown as is (the gateway's funnel turns it into `internal`).
 */
export function toSyncError(err: unknown): Error {
  if (err instanceof SyncError) return err;
  if (!(err instanceof Error)) return new SyncError('unavailable', 'state store unavailable');
  if (isReplyError(err)) {
    const space = err.message.indexOf(' ');
    const head = space > 0 ? err.message.slice(0, space) : err.message;
    const code = ErrorCode.safeParse(head);
    if (code.success) return new SyncError(code.data, err.message.slice(space + 1));
    if (TRANSIENT_REPLIES.includes(head)) return new SyncError('unavailable', 'state store unavailable');
    return err;
  }
  return new SyncError('unavailable', 'state store unavailable');
}

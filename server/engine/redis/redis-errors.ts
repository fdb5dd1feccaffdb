import { z } from 'zod';
import type { WireError } from '../../../client-sdk/src/protocol/index.ts';
import { ErrorCode } from '../../protocol/zod.ts';
import { SyncError } from '../../errors.ts';

/** Reply errors that mean "Redis cannot serve right now" (loading, failover, cluster reconfiguring...). */
const TRANSIENT_REPLIES = new Set(['LOADING', 'CLUSTERDOWN', 'TRYAGAIN', 'MASTERDOWN', 'READONLY', 'BUSY', 'NOREPLICAS', 'MOVED', 'ASK']);

/** What `refusal(code, message)` in scripts/prelude.lua puts before its JSON; the two must agree. */
const REFUSAL_MARKER = 'TANDEM ';

const Refusal = z.object({ code: ErrorCode, message: z.string() });

/** ioredis' ReplyError (not exported with a type): an error answered by Redis, carrying its text. */
function isReplyError(err: Error): boolean {
  return err.name === 'ReplyError';
}

/** A script's refusal, or null when the text is not one (or names no protocol code). */
export function parseRefusal(text: string): WireError | null {
  if (!text.startsWith(REFUSAL_MARKER)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(text.slice(REFUSAL_MARKER.length));
  } catch {
    return null;
  }
  const refusal = Refusal.safeParse(decoded);
  return refusal.success ? refusal.data : null;
}

/**
 * Maps what a Redis call threw to a SyncError: a script's refusal keeps its code and message; Redis being
 * away (timeouts, closed connections, retries exhausted, cluster not ready) is `unavailable`; any other
 * reply error is a bug: `internal`, its text kept only as the cause (logged, never sent).
 */
export function toSyncError(err: unknown): Error {
  if (err instanceof SyncError) return err;
  if (!(err instanceof Error)) return new SyncError('unavailable', 'state store unavailable');
  if (!isReplyError(err)) return new SyncError('unavailable', 'state store unavailable');
  const refusal = parseRefusal(err.message);
  if (refusal) return new SyncError(refusal.code, refusal.message);
  const head = err.message.split(' ', 1)[0] ?? '';
  if (TRANSIENT_REPLIES.has(head)) return new SyncError('unavailable', 'state store unavailable');
  return new SyncError('internal', 'internal error', { cause: err });
}

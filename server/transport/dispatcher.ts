import { performance } from 'node:perf_hooks';
import {
  REQUEST_SCHEMAS,
  describeIssue,
  isMutationEvent,
  isRequestEvent,
  type RequestEvent,
  type RequestOf,
  type Schema,
  type SchemaError,
  type WireError,
} from '../../client-sdk/src/protocol/index.ts';
import { SyncError, toWireError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Handlers, RequestScope } from './handlers.ts';
import type { InFlight } from './in-flight.ts';
import { endSession, isEnding } from './session-ending.ts';
import { sessionOf, type GatewaySocket } from './session.ts';

export interface DispatcherDeps {
  handlers: Handlers;
  /** The node's bound on unanswered requests (one per node, shared by every socket). */
  inFlight: InFlight;
  metrics: Metrics;
  logger: Logger;
}

type Reply = (response: unknown) => void;

/** Requests that read the user's state: the store checks the session's revocation in the same step. */
const READS: ReadonlySet<string> = new Set(['sync:since', 'devices:list']);

/** The first few issues as one line, e.g. `qty must be between 1 and 999`. */
function summarize(error: SchemaError): string {
  const text = error.issues.slice(0, 3).map(describeIssue).join('; ');
  return text.length > 480 ? `${text.slice(0, 477)}...` : text;
}

/** The request schemas, typed so that a generic event indexes its own schema. */
const SCHEMAS: { [E in RequestEvent]: Schema<RequestOf<E>> } = REQUEST_SCHEMAS;

async function run<E extends RequestEvent>(
  handlers: Handlers,
  event: E,
  payload: unknown,
  scope: RequestScope,
): Promise<object> {
  const parsed = SCHEMAS[event].safeParse(payload);
  if (!parsed.success) throw new SyncError('bad_request', summarize(parsed.error));
  if (Date.now() >= scope.session.validUntil) throw new SyncError('token_expired', 'token expired; refresh it or reconnect');
  const handler: (scope: RequestScope, request: RequestOf<E>) => Promise<object> = handlers[event];
  return handler(scope, parsed.data);
}

/**
 * Handles every event a client sends, through one path: flood guard, event and payload validation,
 * token expiry, the handler; whatever is thrown becomes a wire error. A missing ack is tolerated.
 */
export function attachDispatcher(socket: GatewaySocket, deps: DispatcherDeps): void {
  const { metrics, logger } = deps;
  const session = sessionOf(socket);

  const dispatch = async (event: unknown, args: unknown[]) => {
    const started = performance.now();
    const last = args.at(-1);
    const reply: Reply = typeof last === 'function' ? (last as Reply) : () => {};
    const payloadArgs = typeof last === 'function' ? args.slice(0, -1) : args;
    const label = typeof event === 'string' && isRequestEvent(event) ? event : 'unknown';
    const after: Array<() => void> = [];
    // A session being ended still delivers what its client had sent: none of it is worth any work.
    if (isEnding(socket)) return;
    let outcome = 'ok';
    let entered = false;
    try {
      const verdict = session.flood.take(Date.now());
      if (verdict === 'cut_off') {
        outcome = 'flood';
        if (endSession(socket, 'flood', { metrics })) {
          logger.warn({ userId: session.userId, deviceId: session.deviceId }, 'flood: connection cut off');
        }
        return;
      }
      if (verdict === 'slow_down') throw new SyncError('rate_limited', 'too many requests on this connection; slow down');
      if (label === 'unknown') throw new SyncError('bad_request', `unknown event ${JSON.stringify(String(event)).slice(0, 80)}`);
      if (payloadArgs.length !== 1) throw new SyncError('bad_request', 'expected exactly one payload argument');
      deps.inFlight.enter(session);
      entered = true;
      const result = await run(deps.handlers, label, payloadArgs[0], { socket, session, afterAck: (fn) => after.push(fn) });
      reply({ ok: true, ...result });
    } catch (err) {
      const error: WireError = toWireError(err);
      outcome = error.code;
      if (error.code === 'internal') logger.error({ err, event: label }, 'request failed');
      if (error.code === 'unavailable') metrics.redisErrors.inc({ client: 'engine' });
      reply({ ok: false, error });
      // The engine refuses writes and reads of revoked sessions even if the revoke signal never reached this node.
      if (error.code === 'unauthorized' && (isMutationEvent(label) || READS.has(label))) after.push(() => endSession(socket, 'revoked', { metrics }));
    } finally {
      if (entered) deps.inFlight.leave(session);
      metrics.requests.inc({ event: label, outcome });
      metrics.requestSeconds.observe({ event: label }, (performance.now() - started) / 1000);
    }
    for (const fn of after) fn();
  };

  socket.onAny((event: unknown, ...args: unknown[]) => {
    void dispatch(event, args);
  });
}

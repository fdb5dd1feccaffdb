import { PUSH_SCHEMAS, PlaybackHandoffRequest } from '../protocol/index.js';
import { request } from '../connection/request.js';
import type { ClientSocket } from '../connection/socket.js';
import { SyncClientError } from '../errors.js';
import type { HandoffEvent, PlaybackApi } from '../types.js';
import { createListeners } from '../util/listeners.js';

export interface PlaybackApiDeps {
  /** The connected socket, or null. */
  socket(): ClientSocket | null;
  requestTimeoutMs: number;
  /** The error to reject with when the client can take no more calls (closed), else null. */
  refusal(): SyncClientError | null;
  onError(error: SyncClientError): void;
}

export interface Playback {
  readonly api: PlaybackApi;
  /** Listens for handoffs on a new socket (before any push can arrive). */
  attach(socket: ClientSocket): void;
}

/** Handoff between the user's devices: live, through the server, never queued (a stale "play this" is wrong). */
export function createPlayback(deps: PlaybackApiDeps): Playback {
  const listeners = createListeners<HandoffEvent>();
  return {
    attach(socket) {
      socket.on('playback:handoff', (payload: unknown, ack?: unknown) => {
        const parsed = PUSH_SCHEMAS['playback:handoff'].safeParse(payload);
        if (!parsed.success) {
          deps.onError(new SyncClientError('internal', 'ignored a server message that does not match the protocol: playback:handoff'));
          return;
        }
        // Acknowledged before the app acts on it: the sender learns it arrived, and pauses.
        if (typeof ack === 'function') ack({ ok: true });
        listeners.emit(parsed.data);
      });
    },
    api: {
      async handoff(deviceId, { videoId, positionSec }) {
        const refused = deps.refusal();
        if (refused) throw refused;
        const body = { deviceId, videoId, positionSec };
        const check = PlaybackHandoffRequest.safeParse(body);
        if (!check.success) throw new SyncClientError('bad_request', `playback.handoff: ${check.error.message}`);
        const socket = deps.socket();
        if (!socket?.connected) throw new SyncClientError('unavailable', 'a handoff needs a connection (it is never queued)');
        const answer = await request(socket, 'playback:handoff', check.data, deps.requestTimeoutMs);
        if (answer.kind === 'ok') return answer.value;
        if (answer.kind === 'error') throw new SyncClientError(answer.error.code, answer.error.message);
        throw new SyncClientError('unavailable', answer.kind === 'lost' ? 'playback:handoff got no answer' : answer.detail);
      },
      onHandoff: (listener) => listeners.add(listener),
    },
  };
}

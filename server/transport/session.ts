import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, PlaybackHandoff, ServerToClientEvents } from '../../client-sdk/src/protocol/index.ts';
import type { FloodGuard } from './flood-guard.ts';

/** What a node knows about one authenticated connection (kept in `socket.data`). */
export interface Session {
  userId: string;
  deviceId: string;
  connId: string;
  room: string;
  /** The current token's iat (ms); moves with `auth:refresh`. */
  issuedAt: number;
  /** The current token's identity (`jti` or a hash); moves with `auth:refresh`. */
  tokenId: string;
  /** When the current token stops being valid (exp plus clock tolerance, ms); moves with `auth:refresh`. */
  validUntil: number;
  flood: FloodGuard;
  /** When the store registered this connection (ms): of two connections of a device, the later one stays. */
  connectedAt: number;
  /** How long the user's keys live after this session's writes (see server/domain/retention.ts). */
  retentionMs: number;
  /** The protocol version the client speaks (its handshake's `protocol`): what the server may send it. */
  protocol: number;
  /**
   * Settles once this node's subscription to the user's room is live (null when known live). `sync:since`
   * waits for it, so no change committed after the sync answer can miss this socket.
   */
  subscribed: Promise<void> | null;
  /** Requests of this connection not answered yet (bounded by LIMITS.inFlightPerConnection). */
  inFlight: number;
}

/** Signals one node sends the others through the adapter. */
export interface InterServerEvents {
  /** Sessions of `userId` (of one device, or all when null) issued before `revokedAt` must end now. */
  revoke: (signal: { userId: string; deviceId: string | null; revokedAt: number }) => void;
  /** A connection of `deviceId` registered at `connectedAt`: older connections of the device must end. */
  supersede: (signal: { userId: string; deviceId: string; connId: string; connectedAt: number }) => void;
  /** Deliver a handoff to the device's socket if this node holds it; answer whether its client took it. */
  handoff: (signal: { userId: string; deviceId: string; handoff: PlaybackHandoff }, answer: (delivered: boolean) => void) => void;
}

export interface SocketData {
  /** Set by the handshake middleware; every connected socket has one. */
  session?: Session;
}

export type GatewayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type GatewaySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** The session of a socket that passed the handshake middleware. */
export function sessionOf(socket: GatewaySocket): Session {
  const { session } = socket.data;
  if (!session) throw new Error('socket without a session');
  return session;
}

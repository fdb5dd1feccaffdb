/**
 * Wire protocol version, sent by the client in the handshake. A server accepts every version from
 * MIN_PROTOCOL_VERSION up to its own, so older SDKs keep working; a newer SDK is refused at the handshake
 * (`bad_request`) by a server that does not speak its version yet.
 *
 * History:
 * - 1: first version (cart, watch progress, devices, versioned change log).
 * - 2: `mutations:push` sends up to LIMITS.pushMutations pending mutations in one request; the SDK uses it for
 *   every mutation. The single-mutation events stay for version-1 clients.
 * - 3: the `sync:since` answer carries the server's `watchRules` (older clients are sent none: their schema is
 *   strict); `playback:handoff` asks another online device of the user to continue a video. A `changes` sync
 *   answer is bounded in bytes (LIMITS.syncBytes) and says `more: true` when the catch-up goes on; the client
 *   asks again from its new version (older clients get a snapshot instead).
 */
export const PROTOCOL_VERSION = 3;

/** The first protocol version whose clients page a long catch-up (`more`). */
export const PAGED_SYNC_PROTOCOL = 3;

/** The oldest protocol version a server still accepts. */
export const MIN_PROTOCOL_VERSION = 1;

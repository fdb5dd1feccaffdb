/**
 * Wire protocol version, sent by the client in the handshake.
 *
 * History:
 * - 1: first version (cart, watch progress, devices, versioned change log).
 */
export const PROTOCOL_VERSION = 1;

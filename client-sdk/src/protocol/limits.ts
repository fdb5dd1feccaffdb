/** Limits enforced by the server on every request; the SDK checks them too, to fail fast. */
export const LIMITS = {
  /** Lines in one cart. */
  cartLines: 200,
  /** Quantity of one cart line. */
  qtyMin: 1,
  qtyMax: 999,
  /** Price of one unit, in cents. */
  priceCentsMax: 100_000_000,
  skuLength: 64,
  titleLength: 200,
  /** Most bytes a title takes once JSON-encoded (UTF-8, no control characters: 3 bytes a UTF-16 unit at most, plus quotes). */
  titleBytes: 602,
  videoIdLength: 128,
  deviceIdLength: 64,
  deviceNameLength: 64,
  tokenLength: 8192,
  /** Watch-progress entries kept per user; the oldest are trimmed. */
  watchEntries: 1000,
  /** Longest video accepted, in seconds (7 days). */
  durationSecMax: 604_800,
  /** Changes kept in a user's log; older versions are served as a snapshot. */
  changeLog: 1000,
  /** Largest change batch sent in one sync answer; beyond it a snapshot is cheaper. */
  syncBatch: 1000,
  /**
   * Most bytes of the changes in one `sync:since` answer (their JSON, UTF-8; at least one change is sent). A
   * longer catch-up comes in pages (`more: true`, protocol 3) or, for older clients, as a snapshot.
   */
  syncBytes: 262_144,
  /**
   * Most bytes of a snapshot's state: a user at every cap (200 widest cart lines, 1,000 widest watch entries),
   * as the Redis engine encodes it. Checked by test/engine/contract/sync-bounds.ts.
   */
  snapshotBytes: 786_432,
  /** A read's answer costs one rate token more per this many bytes (charged after it, so the bucket may go below zero). */
  rateBytesPerToken: 65_536,
  /** Requests one connection may have unanswered at once; more are refused (`rate_limited`) until answers come. */
  inFlightPerConnection: 8,
  /** Requests one user may have unanswered at once on one node, over all its connections there. */
  inFlightPerUser: 24,
  /** Attribute pairs on one cart line (size, colour, ...). */
  attributePairs: 8,
  attributeKeyLength: 32,
  attributeValueLength: 64,
  /** All attributes of one line, as UTF-8 JSON bytes. */
  attributesBytes: 512,
  /** A signed offer token (see protocol/offer.ts). */
  offerLength: 1024,
  /** A checkout freeze, from the admin API: the longest a backend may ask for (1 day). */
  checkoutTtlMsMax: 86_400_000,
  /** Most mutations in one `mutations:push`. */
  pushMutations: 100,
  /** Most bytes of one push's `mutations` array (its JSON, UTF-8). */
  pushBytes: 65_536,
} as const;

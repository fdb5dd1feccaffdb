/** Revocation marks of one user: `*` (every session) and per device, each the ms before which tokens are refused. */
export type RevocationMarks = ReadonlyMap<string, number>;

/** The mark of one revoked token (its value: when the token expires, after which the mark is pruned). */
export function tokenMark(tokenId: string): string {
  return `t:${tokenId}`;
}

/**
 * A token issued at `issuedAt` is refused when a revocation of everything, or of this device, is later, or
 * when the token itself was revoked (signing a device out revokes the token it signed in with, whatever
 * deviceId that token claims next).
 */
export function isRevokedBy(marks: RevocationMarks, deviceId: string, issuedAt: number, tokenId?: string): boolean {
  return (
    (marks.get('*') ?? -Infinity) > issuedAt ||
    (marks.get(deviceId) ?? -Infinity) > issuedAt ||
    (tokenId !== undefined && marks.has(tokenMark(tokenId)))
  );
}

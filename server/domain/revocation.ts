/** Revocation marks of one user: `*` (every session) and per device, each the ms before which tokens are refused. */
export type RevocationMarks = ReadonlyMap<string, number>;

/** A token issued at `issuedAt` is refused when a revocation of everything, or of this device, is later. */
export function isRevokedBy(marks: RevocationMarks, deviceId: string, issuedAt: number): boolean {
  return (marks.get('*') ?? -Infinity) > issuedAt || (marks.get(deviceId) ?? -Infinity) > issuedAt;
}

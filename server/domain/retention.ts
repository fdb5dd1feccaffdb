import type { DomainConfig } from '../config/domain.ts';

/**
 * How long a user's keys live after a write or a connect: guests (a `guest: true` claim, or a `sub` with the
 * configured prefix) get RETENTION_GUEST_DAYS, everyone else RETENTION_USER_DAYS. 0 means no expiry.
 */
export function retentionMs(retention: DomainConfig['retention'], userId: string, guestClaim: boolean): number {
  const guest = guestClaim || (retention.guestSubPrefix !== null && userId.startsWith(retention.guestSubPrefix));
  return guest ? retention.guestMs : retention.userMs;
}

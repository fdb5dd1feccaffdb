import { SyncClientError } from '../errors.js';

/**
 * Why the client drops its local data (pending changes, the synced state, the device list). Each reason says,
 * in `resetError`, what the pending changes are rejected with; add a reason here and the compiler asks for it.
 */
export type ResetReason =
  /** The token now names another user: data written under the previous one must never reach this account. */
  | { readonly kind: 'owner_changed'; readonly owner: string }
  /** The app signed this device out (its session is revoked). */
  | { readonly kind: 'signed_out' }
  /** The app's backend erased everything stored for the user (`session:ending` reason `erased`). */
  | { readonly kind: 'erased' };

/** The error pending changes are rejected with when the client resets for `reason`. */
export function resetError(reason: ResetReason): SyncClientError {
  switch (reason.kind) {
    case 'owner_changed':
      return new SyncClientError('forbidden', 'made by another user');
    case 'signed_out':
      return new SyncClientError('unauthorized', 'signed out');
    case 'erased':
      return new SyncClientError('unauthorized', 'everything stored for this user was erased');
  }
}

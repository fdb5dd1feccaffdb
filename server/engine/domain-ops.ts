import type { CartFreeze, CartLine, Change, WatchEntry } from '../../client-sdk/src/protocol/index.ts';
import type { FanoutEnvelope } from './engine.ts';

/** The app's backend writing to a user: its changes name `writerId` as their `deviceId` (seq = the version). */
export interface BackendWriter {
  writerId: string;
  /** The user's keys live on this long from the write (0 or absent: no expiry). */
  retentionMs?: number;
}

/** A committed backend change; `published` as in `Engine.mutate`. Absent for the repeat of a done call. */
export interface BackendCommit {
  epoch: string;
  version: number;
  change?: Change;
  published?: boolean;
}

/** If-Match: refuse (`precondition_failed`, with the current tag) unless the user is at exactly this version. */
export interface Precondition {
  ifMatch?: { epoch: string; version: number } | null;
}

export interface FreezeRequest extends Precondition {
  checkoutId: string;
  ttlMs: number;
}

export interface FreezeResult extends BackendCommit {
  freeze: CartFreeze;
  /** The cart the checkout holds, by sku. */
  cart: CartLine[];
}

export interface EndCheckoutRequest extends Precondition {
  checkoutId: string;
  /** `complete` clears the cart (the order exists); `cancel` gives it back to the devices. */
  outcome: 'complete' | 'cancel';
}

export interface MergeRequest extends Precondition {
  fromUserId: string;
  /** `merge` combines both carts; `replace` takes the guest's cart when it has lines. */
  mode: 'merge' | 'replace';
  /** How quantities of a sku in both carts combine. */
  quantities: 'sum' | 'max';
}

export interface MergeResult extends BackendCommit {
  /** The account's cart after the merge, by sku. */
  cart: CartLine[];
  watch: WatchEntry[];
  /** Guest lines left out because the cart was full. */
  dropped: string[];
  /** This merge had already been applied (a repeat): nothing changed now. */
  duplicate: boolean;
}

/**
 * The business operations of the admin API. Each call is atomic per user and safe to repeat:
 * a freeze repeats by its checkoutId, an end by checkoutId and outcome, a merge by its guest. A repeat answers
 * as such before If-Match is looked at (the first call moved the version on).
 */
export interface DomainOps {
  /** Freezes the user's cart for a checkout; another checkout that still holds it answers `frozen`. */
  freezeCart(userId: string, request: FreezeRequest, writer: BackendWriter, fanout?: FanoutEnvelope): Promise<FreezeResult>;
  /** Completes (clears and unfreezes) or cancels (unfreezes) a checkout. */
  endCheckout(userId: string, request: EndCheckoutRequest, writer: BackendWriter, fanout?: FanoutEnvelope): Promise<BackendCommit>;
  /**
   * Moves a guest's cart and watch progress into the account (steps 1-2 of a sign-in merge: read the guest,
   * apply to the account with a marker keyed by the guest). The caller erases the guest afterwards (step 3);
   * a repeat at any point gives the same account state. Unknown guest (and no marker): `not_found`.
   */
  mergeInto(userId: string, request: MergeRequest, writer: BackendWriter, fanout?: FanoutEnvelope): Promise<MergeResult>;
}

import { describe } from 'vitest';
import { accessContract } from './contract/access.ts';
import { batchContract } from './contract/batch.ts';
import { cartContract } from './contract/cart.ts';
import { cartDetailsContract } from './contract/cart-details.ts';
import { checkoutContract } from './contract/checkout.ts';
import { mergeContract } from './contract/merge.ts';
import { outboxContract } from './contract/outbox.ts';
import { retentionContract } from './contract/retention.ts';
import { devicesContract } from './contract/devices.ts';
import type { ContractTarget } from './contract/harness.ts';
import { hardeningContract } from './contract/hardening.ts';
import { idempotencyContract } from './contract/idempotency.ts';
import { syncContract } from './contract/sync.ts';
import { syncBoundsContract } from './contract/sync-bounds.ts';
import { watchContract } from './contract/watch.ts';

export type { ContractTarget } from './contract/harness.ts';

/**
 * The engine contract: every rule of docs/architecture.md, run against any engine.
 * `getTarget` is read inside the tests, so the caller may create the target in its beforeAll.
 */
export function engineContract(name: string, getTarget: () => ContractTarget): void {
  describe(`${name} engine contract`, () => {
    cartContract(getTarget);
    watchContract(getTarget);
    idempotencyContract(getTarget);
    batchContract(getTarget);
    syncContract(getTarget);
    syncBoundsContract(getTarget);
    devicesContract(getTarget);
    accessContract(getTarget);
    cartDetailsContract(getTarget);
    checkoutContract(getTarget);
    mergeContract(getTarget);
    hardeningContract(getTarget);
    retentionContract(getTarget);
    outboxContract(getTarget);
  });
}

import type { Logger } from '../observability/logger.ts';
import type { EndpointRecord } from './endpoints.ts';
import type { OutboxStore } from './outbox.ts';
import { updateEndpointHealth, type RetryPolicy } from './retry-policy.ts';

/**
 * Each endpoint's run of failures, as this node sees it, and its disabling: 410 at once, failing for
 * `disableAfterMs` (5 days) by the policy. Written to the shared record only when it changes (a run starts
 * or ends, the endpoint is disabled), so a healthy endpoint costs no store write per delivery.
 */
export interface EndpointHealthKeeper {
  /** Takes the records as read from the store (another node may have disabled one). */
  adopt(endpoints: readonly EndpointRecord[]): void;
  isActive(id: string): boolean;
  report(id: string, outcome: 'delivered' | 'gone' | 'failed'): void;
}

export function createEndpointHealth(deps: { store: OutboxStore; policy: RetryPolicy; logger: Logger; now: () => number; onChange: () => void; onDisable?: (id: string, reason: 'gone' | 'failing') => void }): EndpointHealthKeeper {
  const known = new Map<string, EndpointRecord>();
  const persist = (record: EndpointRecord) => {
    deps.store
      .listEndpoints()
      .then(async (all) => {
        const current = all.find((e) => e.id === record.id);
        if (!current) return;
        await deps.store.saveEndpoint({ ...current, disabled: record.disabled ?? current.disabled, failingSince: record.failingSince });
      })
      .catch((err: unknown) => deps.logger.warn({ err: err instanceof Error ? err.message : String(err), endpointId: record.id }, 'webhook endpoint health not saved'));
  };
  return {
    adopt(endpoints) {
      known.clear();
      for (const e of endpoints) known.set(e.id, { ...e });
    },
    isActive(id) {
      const e = known.get(id);
      return e !== undefined && e.disabled === null;
    },
    report(id, outcome) {
      const e = known.get(id);
      if (!e || e.disabled !== null) return;
      const verdict = updateEndpointHealth(deps.policy, { failingSinceMs: e.failingSince }, outcome, deps.now());
      const failingSince = verdict.health.failingSinceMs;
      const disabled = verdict.action === 'disable' ? { at: deps.now(), reason: verdict.reason } : null;
      if (failingSince === e.failingSince && disabled === null) return;
      const next = { ...e, failingSince, disabled };
      known.set(id, next);
      if (disabled) {
        deps.logger.warn({ endpointId: id, url: e.url, reason: disabled.reason }, 'webhook endpoint disabled');
        deps.onDisable?.(id, disabled.reason);
      }
      persist(next);
      if (disabled) deps.onChange();
    },
  };
}

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Outcome label of one delivery attempt (the kinds of deliver-attempt's AttemptOutcome). */
export type DeliveryOutcomeLabel = 'delivered' | 'retry' | 'gone' | 'failed';

/** What the dispatcher knows about the backlog: cluster-wide figures read from the store. */
export interface QueueState {
  /** Events recorded and not yet delivered (or dead-lettered). */
  depth: number;
  /** When the oldest of them was recorded (ms since the epoch); null when there is none. */
  oldestPendingAtMs: number | null;
}

/**
 * The webhook figures of a node, as functions the dispatcher calls; the Prometheus objects stay inside.
 * Endpoint ids are labels: the number of endpoints is bounded where they are registered.
 */
export interface WebhookMetrics {
  /** One attempt ended: counted by endpoint and outcome, its latency observed. */
  attempt(endpointId: string, outcome: DeliveryOutcomeLabel, latencyMs: number): void;
  /** An event gave up on (schedule exhausted, URL refused): it went to the endpoint's dead-letter list. */
  deadLettered(endpointId: string): void;
  /** An endpoint was disabled (410, or failing for too long). */
  endpointDisabled(endpointId: string, reason: 'gone' | 'failing'): void;
  /** The latest backlog figures; the oldest event's age is computed at scrape time from them. */
  queue(state: QueueState): void;
  /** Drops the series of a deleted endpoint. */
  forgetEndpoint(endpointId: string): void;
}

const OUTCOMES: readonly DeliveryOutcomeLabel[] = ['delivered', 'retry', 'gone', 'failed'];

export function createWebhookMetrics(registry: Registry, now: () => number = Date.now): WebhookMetrics {
  const deliveries = new Counter({
    name: 'tandem_webhook_deliveries_total',
    help: 'Webhook delivery attempts by endpoint and outcome (delivered, retry, gone: 410, failed: URL refused)',
    labelNames: ['endpoint', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'tandem_webhook_delivery_duration_seconds',
    help: 'Time of one webhook delivery attempt, from connect to the end of the answer (or the failure)',
    labelNames: ['endpoint'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [registry],
  });
  const dead = new Counter({
    name: 'tandem_webhook_dead_letters_total',
    help: 'Events moved to an endpoint\'s dead-letter list after their last attempt failed',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const disabled = new Counter({
    name: 'tandem_webhook_endpoints_disabled_total',
    help: 'Endpoints disabled by this node: gone (the receiver answered 410) or failing (every delivery failed for too long)',
    labelNames: ['endpoint', 'reason'],
    registers: [registry],
  });
  let state: QueueState = { depth: 0, oldestPendingAtMs: null };
  new Gauge({
    name: 'tandem_webhook_queue_depth',
    help: 'Webhook events recorded and not yet delivered, across the cluster, as last seen by this node\'s dispatcher',
    registers: [registry],
    collect() {
      this.set(state.depth);
    },
  });
  new Gauge({
    name: 'tandem_webhook_oldest_pending_seconds',
    help: 'Age of the oldest webhook event not yet delivered (0 when none), as last seen by this node\'s dispatcher',
    registers: [registry],
    collect() {
      this.set(state.oldestPendingAtMs === null ? 0 : Math.max(0, now() - state.oldestPendingAtMs) / 1000);
    },
  });

  return {
    attempt(endpointId, outcome, latencyMs) {
      deliveries.inc({ endpoint: endpointId, outcome });
      latency.observe({ endpoint: endpointId }, Math.max(0, latencyMs) / 1000);
    },
    deadLettered(endpointId) {
      dead.inc({ endpoint: endpointId });
    },
    endpointDisabled(endpointId, reason) {
      disabled.inc({ endpoint: endpointId, reason });
    },
    queue(next) {
      if (!Number.isFinite(next.depth) || next.depth < 0) return;
      state = { depth: next.depth, oldestPendingAtMs: next.oldestPendingAtMs };
    },
    forgetEndpoint(endpointId) {
      for (const outcome of OUTCOMES) deliveries.remove({ endpoint: endpointId, outcome });
      latency.remove({ endpoint: endpointId });
      dead.remove({ endpoint: endpointId });
      for (const reason of ['gone', 'failing']) disabled.remove({ endpoint: endpointId, reason });
    },
  };
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createWebhookMetrics, type WebhookMetrics } from './webhook-metrics.ts';

/** The node's Prometheus metrics, in a registry of its own (no global state). */
export interface Metrics {
  readonly registry: Registry;
  readonly connections: Gauge;
  readonly handshakesRefused: Counter<'code'>;
  readonly requests: Counter<'event' | 'outcome'>;
  readonly requestSeconds: Histogram<'event'>;
  readonly fanout: Counter<'event'>;
  readonly pushedMutations: Counter<'outcome'>;
  readonly redisErrors: Counter<'client'>;
  readonly sessionsEnded: Counter<'reason'>;
  /** Acknowledged versions a store that went back in time no longer has (each counted once per user). */
  readonly lostChanges: Counter;
  /** Times this node saw the store behind its connection change (replication id, a lost store id). */
  readonly storeChanges: Counter;
  /** Webhook deliveries, latency, dead letters, disabled endpoints and the backlog (see webhook-metrics.ts). */
  readonly webhooks: WebhookMetrics;
}

export function createMetrics(options: { nodeId: string }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ node: options.nodeId });
  // Includes nodejs_eventloop_lag_seconds and its percentiles, heap and GC figures.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  return {
    registry,
    connections: new Gauge({ name: 'tandem_connections', help: 'Open socket connections on this node', registers: [registry] }),
    handshakesRefused: new Counter({
      name: 'tandem_handshakes_refused_total',
      help: 'Handshakes refused, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    requests: new Counter({
      name: 'tandem_requests_total',
      help: 'Requests by event and outcome (ok or an error code)',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'tandem_request_duration_seconds',
      help: 'Time from receiving a request to sending its ack',
      labelNames: ['event'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    fanout: new Counter({
      name: 'tandem_fanout_messages_total',
      help: 'Pushes emitted to user rooms (change, devices)',
      labelNames: ['event'],
      registers: [registry],
    }),
    pushedMutations: new Counter({
      name: 'tandem_pushed_mutations_total',
      help: 'Mutations carried by mutations:push: applied (duplicates included), or the code that refused one',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    redisErrors: new Counter({
      name: 'tandem_redis_errors_total',
      help: 'Redis client errors and engine calls that failed as unavailable',
      labelNames: ['client'],
      registers: [registry],
    }),
    sessionsEnded: new Counter({
      name: 'tandem_sessions_ended_total',
      help: 'Connections the server ended on purpose, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    lostChanges: new Counter({
      name: 'tandem_lost_changes_total',
      help: 'Acknowledged changes lost because the store went back in time (failover to a lagging replica, older backup), once per user',
      registers: [registry],
    }),
    storeChanges: new Counter({
      name: 'tandem_store_changes_total',
      help: 'Times the store behind this node changed (a promoted replica, a restart, lost data); clients were asked to resync',
      registers: [registry],
    }),
    webhooks: createWebhookMetrics(registry),
  };
}

import type { Config } from '../config.ts';
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../observability/logger.ts';
import type { WebhookMetrics } from '../observability/webhook-metrics.ts';
import type { WebhookRouteDeps } from '../admin/routes/webhooks.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import { createEndpointAdmin } from './endpoint-admin.ts';
import { EventType } from './events.ts';
import { createHttpSender } from './http-sender.ts';
import type { createDemandRelay } from './outbox.ts';

/** Webhooks on one node: the dispatcher (attached to the engine's demand), endpoint admin, the routes' deps. */
export interface WebhookNode {
  dispatcher: Dispatcher;
  routes: WebhookRouteDeps;
  /** Stops delivering; what is pending stays in the store for the other nodes. */
  stop(): Promise<void>;
}

export async function startWebhooks(deps: {
  config: Config;
  engine: Engine;
  logger: Logger;
  demand: ReturnType<typeof createDemandRelay>;
  metrics: WebhookMetrics;
}): Promise<WebhookNode> {
  const { config, engine, logger } = deps;
  const hooks = config.webhooks;
  const sender = createHttpSender({ safety: hooks.safety, timeoutMs: hooks.timeoutMs, observe: (id, outcome, latencyMs) => deps.metrics.attempt(id, outcome, latencyMs) });
  const dispatcher = createDispatcher({
    store: engine.outbox,
    nodeId: config.nodeId,
    send: sender,
    logger: logger.child({ component: 'webhooks' }),
    metrics: deps.metrics,
    settings: {
      debounceMs: hooks.debounceMs,
      graceMs: hooks.disconnectGraceMs,
      retry: hooks.retry,
      concurrencyPerEndpoint: hooks.concurrencyPerEndpoint,
      usersInParallel: 32,
      pollMs: 250,
      refreshMs: 2000,
      sweepMs: config.webhookDispatch.sweepMs,
      leaseMs: config.webhookDispatch.leaseMs,
      pull: config.webhookDispatch.pull,
      pullOptIn: config.webhookDispatch.pullOptIn,
    },
  });
  const admin = createEndpointAdmin({ store: engine.outbox, safety: hooks.safety, changed: () => dispatcher.refresh() });
  if (hooks.endpoints.length > 0) {
    await admin.declare(
      hooks.endpoints.map((d) => {
        const events = d.events.map((name) => {
          const parsed = EventType.safeParse(name);
          if (!parsed.success) throw new Error(`WEBHOOKS_FILE: endpoint ${d.id} names an unknown event type "${name}"`);
          return parsed.data;
        });
        return { id: d.id, url: d.url, events, secrets: d.secrets, description: d.description };
      }),
    );
  }
  deps.demand.attach(dispatcher);
  await dispatcher.start();
  return {
    dispatcher,
    routes: { admin, store: engine.outbox, pull: config.webhookDispatch.pull },
    async stop() {
      await dispatcher.stop();
      sender.close();
    },
  };
}

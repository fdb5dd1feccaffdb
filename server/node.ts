import { createAdminServer, type AdminServer } from './admin/admin-server.ts';
import { createAdminRoutes } from './admin/routes/table.ts';
import type { Config } from './config.ts';
import { createInfrastructure, type Infrastructure } from './infrastructure.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import { createGateway, type Gateway } from './transport/gateway.ts';
import { createDemandRelay } from './webhooks/outbox.ts';
import { startWebhooks, type WebhookNode } from './webhooks/webhooks-node.ts';

/** A node wired and listening: the store (engine, pub/sub), the socket gateway and the admin listener. */
export interface RunningNode {
  infra: Infrastructure;
  gateway: Gateway;
  admin: AdminServer;
  port: number;
  adminPort: number;
  /** Webhook delivery of this node (stop it before the engine closes). */
  webhooks: WebhookNode;
}

/** The one wiring of a node, used by main.ts and by tests that compose a node in their own process. */
export async function startNode(config: Config, logger: Logger, metrics: Metrics): Promise<RunningNode> {
  // The engine records webhook events for what the dispatcher's endpoints want; the dispatcher needs the engine.
  const demand = createDemandRelay();
  const infra = await createInfrastructure(config, logger, metrics, demand);
  const webhooks = await startWebhooks({ config, engine: infra.engine, logger, demand, metrics: metrics.webhooks });
  const gateway = createGateway({
    config,
    engine: infra.engine,
    logger,
    metrics,
    ...(infra.pubsub ? { pubsub: infra.pubsub } : {}),
    ...(infra.onStoreReconnected ? { onStoreReconnected: infra.onStoreReconnected } : {}),
  });
  const port = await gateway.listen();
  const admin = createAdminServer({
    config: config.admin,
    routes: createAdminRoutes({ engine: infra.engine, config: config.admin, live: gateway.live, domain: config.domain, webhooks: webhooks.routes }),
    metrics,
    logger,
    nodeId: config.nodeId,
  });
  const adminPort = await admin.listen();
  return { infra, gateway, admin, port, adminPort, webhooks };
}

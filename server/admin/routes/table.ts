import type { Route } from '../route.ts';
import { cartRoutes } from './cart.ts';
import { checkoutRoutes } from './checkout.ts';
import { mergeRoutes } from './merge.ts';
import type { AdminRouteDeps } from './deps.ts';
import { deviceRoutes } from './devices.ts';
import { openApiRoute } from './openapi.ts';
import { userRoutes } from './users.ts';
import { watchRoutes } from './watch.ts';
import { webhookRoutes } from './webhooks.ts';

/**
 * The route table of the backend API: each resource file contributes its routes; the OpenAPI document
 * is generated from this same list. To add a resource: a file in this folder exporting `xRoutes(deps)`,
 * spread into the list below.
 */
export function createAdminRoutes(deps: AdminRouteDeps): Route[] {
  const routes: Route[] = [...userRoutes(deps), ...cartRoutes(deps), ...watchRoutes(deps), ...deviceRoutes(deps), ...checkoutRoutes(deps), ...mergeRoutes(deps)];
  if (deps.webhooks) routes.push(...webhookRoutes(deps.webhooks));
  routes.push(openApiRoute(() => routes));
  return routes;
}

import type { Route } from '../route.ts';
import type { AdminRouteDeps } from './deps.ts';
import { openApiRoute } from './openapi.ts';

/**
 * The route table of the backend API: each resource file contributes its routes; the OpenAPI document
 * is generated from this same list. To add a resource: a file in this folder exporting `xRoutes(deps)`,
 * spread into the list below.
 */
export function createAdminRoutes(deps: AdminRouteDeps): Route[] {
  const routes: Route[] = [];
  void deps;
  routes.push(openApiRoute(() => routes));
  return routes;
}

import { OpenAPIHono } from "@hono/zod-openapi";
import { bindRoute } from "../../http/api-route.ts";
import type { Services } from "../../platform-services.ts";
import { tenantHandlers } from "./tenants.handlers.ts";
import * as routes from "./tenants.routes.ts";

export function tenantsApi(services: Services) {
  const app = new OpenAPIHono();
  const handlers = tenantHandlers(services);
  bindRoute(app, routes.listTenants, handlers.list);
  bindRoute(app, routes.createTenant, handlers.create);
  bindRoute(app, routes.getTenant, handlers.get);
  bindRoute(app, routes.updateTenant, handlers.update);
  bindRoute(app, routes.deleteTenant, handlers.remove);
  bindRoute(app, routes.suspendTenant, handlers.suspend);
  bindRoute(app, routes.resumeTenant, handlers.resume);
  bindRoute(app, routes.reconcileTenant, handlers.reconcile);
  bindRoute(app, routes.issueOwnerLink, handlers.issueOwnerLink);
  return app;
}

import { OpenAPIHono } from "@hono/zod-openapi";
import { bindRoute } from "../../http/api-route.ts";
import type { Services } from "../../platform-services.ts";
import { operationHandlers } from "./operations.handlers.ts";
import * as routes from "./operations.routes.ts";

export function operationsApi(services: Services) {
  const app = new OpenAPIHono();
  const handlers = operationHandlers(services);
  bindRoute(app, routes.tenantOperations, handlers.forTenant);
  bindRoute(app, routes.listOperations, handlers.list);
  bindRoute(app, routes.getOperation, handlers.get);
  bindRoute(app, routes.operationEvents, handlers.events);
  return app;
}

import { OpenAPIHono } from "@hono/zod-openapi";
import { bindRoute } from "../../http/api-route.ts";
import type { Services } from "../../platform-services.ts";
import { auditHandlers } from "./audit.handlers.ts";
import * as routes from "./audit.routes.ts";

export function auditApi(services: Services) {
  const app = new OpenAPIHono();
  bindRoute(app, routes.listAudit, auditHandlers(services).list);
  return app;
}

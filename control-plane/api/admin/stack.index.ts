import { OpenAPIHono } from "@hono/zod-openapi";
import { bindRoute } from "../../http/api-route.ts";
import type { Services } from "../../platform-services.ts";
import { stackHandlers } from "./stack.handlers.ts";
import * as routes from "./stack.routes.ts";

export function stackApi(services: Services) {
  const app = new OpenAPIHono();
  const handlers = stackHandlers(services);
  bindRoute(app, routes.previewStack, handlers.preview);
  bindRoute(app, routes.refreshStack, handlers.refresh);
  bindRoute(app, routes.cancelStack, handlers.cancel);
  bindRoute(app, routes.stackOutputs, handlers.outputs);
  bindRoute(app, routes.exportStack, handlers.exportState);
  return app;
}

import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { Logger } from "pino";
import { requireOwner, signInRoutes } from "../auth/routes.ts";
import type { RuntimeConfig } from "../config.ts";
import type { Database } from "../db/index.ts";
import { requestLog } from "../logging.ts";
import { type BuilderMetrics, metricsRoutes } from "../metrics.ts";
import { billingRoutes } from "./billing.ts";
import { errorResponse, RuntimeError } from "./errors.ts";

export interface AppDeps {
  config: RuntimeConfig;
  db: Database;
  log: Logger;
  /** True once migrations are applied; the control plane waits for it. */
  isReady(): boolean;
  /** The builder's routes (UI, API, preview), mounted behind the owner session. */
  builder?: Hono;
  metrics?: BuilderMetrics;
}

export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.use(requestId());
  app.use(requestLog(deps.log));
  app.get("/healthz", (c) =>
    deps.isReady()
      ? c.json({ status: "ok", tenant: deps.config.tenant })
      : c.json({ status: "starting", tenant: deps.config.tenant }, 503),
  );
  if (deps.metrics) app.route("/", metricsRoutes(deps.metrics, deps.config.metricsToken));
  app.route("/", signInRoutes({ ...deps.config, db: deps.db }));
  app.use("*", requireOwner(deps.db, deps.config));
  app.route("/", billingRoutes(deps));
  if (deps.builder) app.route("/", deps.builder);
  app.onError((error, c) => {
    if (!(error instanceof RuntimeError)) deps.log.error({ err: error, path: c.req.path }, "request failed");
    return errorResponse(c, error);
  });
  app.notFound((c) => c.json({ error: { code: "not_found", message: `Nothing at ${c.req.path}.` } }, 404));
  return app;
}

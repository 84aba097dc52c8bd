import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { Logger } from "pino";
import { requireOwner, signInRoutes } from "../auth/routes.ts";
import type { RuntimeConfig } from "../config.ts";
import type { Database } from "../db/index.ts";
import { requestLog } from "../logging.ts";
import { type BuilderMetrics, metricsRoutes } from "../metrics.ts";
import { inSpan, setSpanAttributes } from "../tracing.ts";
import { FAVICON_SVG } from "../ui/favicon.ts";
import { billingRoutes } from "./billing.ts";
import { errorResponse, RuntimeError } from "./errors.ts";
import { platformApiRoutes } from "./platform-api.ts";
import { protectiveHeaders, sameOriginWrites, wellFormedPath } from "./request-guards.ts";

export interface AppDeps {
  config: RuntimeConfig;
  db: Database;
  log: Logger;
  /** True once migrations are applied; the control plane waits for it. */
  isReady(): boolean;
  /** Whether a run is queued or running (`/healthz?busy` says so: the platform does not stop a busy runtime). */
  isBusy?(): Promise<boolean>;
  /** The builder's routes (UI, API, preview), mounted behind the owner session. */
  builder?: Hono;
  metrics?: BuilderMetrics;
}

export function createApp(deps: AppDeps) {
  const app = new Hono();
  // A server span per request (tracing on only), continuing the gateway's trace.
  app.use((c, next) => {
    const traceparent = c.req.header("traceparent");
    return inSpan(`${c.req.method} ${c.req.path}`, { "websplat.tenant": deps.config.tenant }, next, {
      kind: "server",
      parent: traceparent ? { traceparent, tracestate: c.req.header("tracestate") ?? "" } : undefined,
    });
  });
  app.use(requestId({ limitLength: 64 }));
  app.use(async (c, next) => {
    setSpanAttributes({ "websplat.request_id": c.get("requestId") });
    await next();
  });
  app.use(requestLog(deps.log));
  app.use(protectiveHeaders());
  app.use(wellFormedPath());
  app.use(sameOriginWrites(deps.config.publicUrl));
  app.get("/healthz", async (c) =>
    deps.isReady()
      ? c.json({
          status: "ok",
          tenant: deps.config.tenant,
          // Only when asked (`?busy`): the platform's idle check; plain health checks stay a constant answer.
          ...(c.req.query("busy") === undefined ? {} : { busy: (await deps.isBusy?.()) ?? false }),
        })
      : c.json({ status: "starting", tenant: deps.config.tenant }, 503),
  );
  // Browsers ask every host for an icon, signed in or not.
  for (const path of ["/favicon.ico", "/favicon.svg"])
    app.get(path, (c) =>
      c.body(FAVICON_SVG, 200, { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400" }),
    );
  if (deps.metrics) app.route("/", metricsRoutes(deps.metrics, deps.config.metricsToken));
  app.route("/", signInRoutes({ ...deps.config, db: deps.db }));
  app.route("/", platformApiRoutes(deps));
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

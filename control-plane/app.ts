import { resolve } from "node:path";
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { html } from "hono/html";
import { requestId } from "hono/request-id";
import { routePath } from "hono/route";
import { accountDeps, accountRoutes } from "./accounts/index.ts";
import { adminApi } from "./api/admin/index.ts";
import { adminTokenRoutes } from "./api/admin-tokens.ts";
import { backupRoutes } from "./api/backups.ts";
import { dataRightsRoutes } from "./api/data-rights.ts";
import { healthRoutes } from "./api/health.ts";
import { progressRoutes, welcomeKeyExchange } from "./api/progress.ts";
import { localCheckoutRoutes } from "./billing/local-checkout.ts";
import { portalRoutes } from "./billing/portal.ts";
import { checkSignupAuth, priceBook, signupRoutes } from "./billing/signup.ts";
import type { StripeClient } from "./billing/stripe-client.ts";
import { type WebhookRouteDeps, webhookRoutes } from "./billing/webhook.ts";
import { hasLocalMailbox } from "./email/index.ts";
import { feedbackRoutes } from "./feedback/index.ts";
import { gateway } from "./gateway/index.ts";
import { adminAuth } from "./http/admin-auth.ts";
import { clientAddress, parseTrustedProxies } from "./http/client-address.ts";
import { callerError, errorBody, sendError } from "./http/errors.ts";
import { metricsAccess } from "./http/metrics-access.ts";
import { rateLimit } from "./http/rate-limit.ts";
import { requestLog } from "./http/request-log.ts";
import { MODEL_PROXY_PATH, modelProxy } from "./models/index.ts";
import type { Services } from "./platform-services.ts";
import { probeRoutes } from "./probes/index.ts";
import { audit } from "./registry/audit.ts";
import { createSites, publicSites, siteAdminRoutes, tenantSiteRoutes } from "./sites/index.ts";
import { statsRoutes } from "./stats/index.ts";
import { tenantAuth } from "./tenant-access.ts";
import { inSpan, setSpanAttributes } from "./tracing.ts";
import { apiDocsRoutes } from "./web/api-docs.ts";
import { PAGE_POLICY, pageHeaders } from "./web/csp.ts";
import { webRoutes } from "./web/index.ts";
import { page } from "./web/layout.ts";
import { statusRoutes } from "./web/status.ts";

export interface AppOptions {
  services: Services;
  adminToken: string;
  webhookSecret: string;
  /** Signs and verifies webhooks; works without an account. */
  verifier: StripeClient;
  /** The Stripe API (null in local mode). */
  stripe: StripeClient | null;
  /** Where our own webhook listens, for the local payment page. */
  webhookUrl: () => string;
}

/** The control plane's HTTP surface (DESIGN §7), one concern per module, mounted here. */
export function createApp(options: AppOptions) {
  const { services } = options;
  const app = new OpenAPIHono();

  // One server span per request (tracing on only), continuing the caller's trace when it sent one.
  app.use((c, next) => {
    const traceparent = c.req.header("traceparent");
    return inSpan(
      `${c.req.method} ${c.req.path}`,
      { "http.request.method": c.req.method, "url.path": c.req.path },
      next,
      {
        kind: "server",
        parent: traceparent ? { traceparent, tracestate: c.req.header("tracestate") ?? "" } : undefined,
      },
    );
  });
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath && c.req.routePath !== "/*" ? routePath(c) : "other";
    services.metrics.httpDuration.observe(
      { method: c.req.method, route, status: String(c.res.status) },
      (performance.now() - started) / 1000,
    );
  });
  app.onError((error, c) => {
    const refusal = callerError(error);
    if (refusal) return sendError(c, refusal);
    services.logger.error({ err: error, path: c.req.path }, "request failed");
    return c.json(errorBody("internal", "Something went wrong on our side; it has been logged."), 500);
  });
  app.notFound((c) =>
    c.req.path.startsWith("/api/") || c.req.path.startsWith("/admin/")
      ? c.json(errorBody("not_found", `No route ${c.req.method} ${c.req.path}. See /docs.`), 404)
      : c.html(
          page({ title: "Not found", body: html`<h1>Not found</h1><p><a href="/">Back to WebSplat</a></p>` }),
          404,
        ),
  );

  // Every request, tenant hosts included, gets an id and a log context (http/request-log.ts).
  app.use(requestId({ limitLength: REQUEST_ID_MAX }));
  app.use(clientAddress(parseTrustedProxies(services.config.WEBSPLAT_TRUSTED_PROXY)));
  app.use(async (c, next) => {
    setSpanAttributes({ "websplat.request_id": c.get("requestId") });
    await next();
  });
  app.use(requestLog(services.logger, services.config.WEBSPLAT_BASE_DOMAIN));
  // Public sites (their own domain) and tenant hosts first: nothing below sees their traffic.
  const sites = createSites(services);
  app.use(publicSites(sites));
  if (services.config.WEBSPLAT_ROLE === "sites") {
    // A pool for public traffic (DESIGN §15): published sites, their forms and operations, nothing else.
    app.use("/metrics", metricsAccess(services.config.WEBSPLAT_METRICS_TOKEN));
    healthRoutes(app, services);
    return app;
  }
  app.use(gateway(services));
  app.use(
    "*",
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: (c) => c.json(errorBody("payload_too_large", "The request body is larger than 1 MiB."), 413),
    }),
  );

  app.use(pageHeaders(PAGE_POLICY, { hsts: services.config.publicUrl.startsWith("https:") }));
  app.use(
    "/api/*",
    // Read at request time: with PORT=0 the public URL is known only once the server listens.
    cors({
      origin: (origin) => (origin === services.config.publicUrl ? origin : null),
      allowMethods: ["GET", "POST"],
    }),
  );
  app.use("/api/signup", rateLimit("signup requests", { burst: 30, perSecond: 0.5 }));
  app.use("/api/signup", checkSignupAuth(adminAuth(options.adminToken, services.db)));
  app.use("/api/slugs/*", rateLimit("slug checks", { burst: 60, perSecond: 5 }));
  app.use("/webhooks/stripe", rateLimit("webhook deliveries", { burst: 10_000, perSecond: 5000 }));

  app.use("/metrics", metricsAccess(services.config.WEBSPLAT_METRICS_TOKEN));
  healthRoutes(app, services);
  // Recording and applying events is the processor's (built with the platform); the route only verifies.
  const webhook: WebhookRouteDeps = {
    verifier: options.verifier,
    webhookSecret: options.webhookSecret,
    logger: services.logger,
    observe: (type, outcome) => services.metrics.webhookEvents.inc({ type, outcome }),
  };
  webhookRoutes(app, webhook, services.events);
  signupRoutes(app, {
    db: services.db,
    // Read at request time: with PORT=0 the public URL is only known once the server listens.
    get publicUrl() {
      return services.config.publicUrl;
    },
    stripe: options.stripe,
    reservationMs: services.config.WEBSPLAT_RESERVATION_HOURS * 3600_000,
    audit: (action, slug, details) => audit(services, "customer", action, slug, details),
  });
  progressRoutes(app, services);
  welcomeKeyExchange(app, services);
  if (!options.stripe) {
    localCheckoutRoutes(app as never, {
      db: services.db,
      verifier: options.verifier,
      webhookSecret: options.webhookSecret,
      webhookUrl: options.webhookUrl,
    });
  }

  // Customer accounts and self-service billing (DESIGN §13).
  const accounts = accountDeps(services);
  accountRoutes(app as never, {
    ...accounts,
    // The mailbox shows sign-in links: only on a local platform with no Stripe account that mails to its outbox.
    mailbox:
      hasLocalMailbox(services.config) && !options.stripe
        ? {
            outboxDir: resolve(services.config.WEBSPLAT_DATA_DIR, "outbox"),
            adminToken: options.adminToken,
            publicUrl: () => services.config.publicUrl,
          }
        : null,
  });
  portalRoutes(app as never, {
    ...accounts,
    stripe: options.stripe,
    verifier: options.verifier,
    webhookSecret: options.webhookSecret,
    webhookUrl: options.webhookUrl,
  });

  app.use("/admin/*", adminAuth(options.adminToken, services.db));
  adminTokenRoutes(app, services);
  app.route("/", adminApi(services));
  backupRoutes(app, services);
  dataRightsRoutes(app, services);
  siteAdminRoutes(app, sites);
  app.route("/tenant-api/v1", tenantSiteRoutes(sites));
  // Operations (DESIGN §14): probes, KPIs, owner feedback; `/api/tenant/*` is for runtimes, by platform token.
  app.use("/api/tenant/*", tenantAuth(services.ownerPrivateKey));
  probeRoutes(app, services);
  statsRoutes(app, services);
  feedbackRoutes(app, services);
  app.route(MODEL_PROXY_PATH, modelProxy(services));
  app.route("/", statusRoutes(services));

  app.openAPIRegistry.registerComponent("securitySchemes", "adminToken", { type: "http", scheme: "bearer" });
  app.doc("/openapi.json", {
    openapi: "3.0.3",
    info: {
      title: "WebSplat control plane",
      version: "1",
      description: "Signup, billing webhooks, tenant administration.",
    },
  });
  app.route("/", apiDocsRoutes());

  const prices = priceBook(options.stripe);
  app.route(
    "/",
    webRoutes({
      publicUrl: services.config.publicUrl,
      baseDomain: services.config.WEBSPLAT_BASE_DOMAIN,
      prices,
      legal: {
        supportAddress: accounts.sender().supportAddress,
        retentionDays: services.config.WEBSPLAT_RETENTION_DAYS,
        operatorName: services.config.WEBSPLAT_OPERATOR_NAME,
        jurisdiction: services.config.WEBSPLAT_JURISDICTION,
      },
    }),
  );
  return app;
}

/** A client's X-Request-Id is kept (and logged) only when it looks like an id: word characters, at most this long. */
const REQUEST_ID_MAX = 64;

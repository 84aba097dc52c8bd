import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { Services } from "../platform-services.ts";

export function healthRoutes(app: OpenAPIHono, services: Services) {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/healthz",
    summary: "Liveness: the process answers",
    tags: ["operations"],
    responses: {
      200: {
        description: "Alive",
        content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
      },
    },
  });
  app.get("/healthz", (c) => c.json({ status: "ok" as const }));

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/readyz",
    summary: "Readiness: the database and the job queue answer",
    tags: ["operations"],
    responses: {
      200: {
        description: "Ready",
        content: {
          "application/json": {
            schema: z.object({ status: z.string(), database: z.boolean(), queue: z.boolean().nullable() }),
          },
        },
      },
      503: {
        description: "Not ready",
        content: {
          "application/json": {
            schema: z.object({ status: z.string(), database: z.boolean(), queue: z.boolean().nullable() }),
          },
        },
      },
    },
  });
  app.get("/readyz", async (c) => {
    const checks = await services.ready();
    // A sites-only process runs no queue (null): its readiness is the database's.
    const ok = checks.database && checks.queue !== false;
    return c.json({ status: ok ? "ready" : "not_ready", ...checks }, ok ? 200 : 503);
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics",
    tags: ["operations"],
    responses: {
      200: {
        description: "Metrics in the Prometheus text format",
        content: { "text/plain": { schema: z.string() } },
      },
    },
  });
  app.get("/metrics", async (c) => {
    return c.body(await services.metrics.registry.metrics(), 200, {
      "content-type": services.metrics.registry.contentType,
    });
  });
}

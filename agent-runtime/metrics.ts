import { timingSafeEqual } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono } from "hono";
import client from "prom-client";

/** Run outcomes counted: the final statuses of DESIGN §6 (`awaiting_input` is a pause, not an outcome). */
export type RunOutcome = "completed" | "failed" | "stopped" | "interrupted";

/** The builder's Prometheus metrics; every series carries the tenant (one runtime serves one tenant). */
export function createBuilderMetrics(tenant: string) {
  const registry = new client.Registry();
  registry.setDefaultLabels({ tenant });
  client.collectDefaultMetrics({ register: registry });
  const runs = new client.Counter({
    name: "websplat_builder_runs_total",
    help: "Builder runs finished, by outcome",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const tokens = new client.Counter({
    name: "websplat_builder_tokens_total",
    help: "Model tokens used by builder runs, by agent and kind (prompt or completion)",
    labelNames: ["agent", "kind"],
    registers: [registry],
  });
  return {
    registry,
    runFinished: (outcome: RunOutcome) => runs.inc({ outcome }),
    tokensUsed: (agent: string, usage: { promptTokens: number; completionTokens: number }) => {
      tokens.inc({ agent, kind: "prompt" }, usage.promptTokens);
      tokens.inc({ agent, kind: "completion" }, usage.completionTokens);
    },
  };
}

export type BuilderMetrics = ReturnType<typeof createBuilderMetrics>;

/**
 * `GET /metrics`, outside the owner session: with `WEBSPLAT_METRICS_TOKEN` set, only for
 * `Authorization: Bearer <it>`; without, only for a scraper on this machine talking to the runtime
 * directly (the control plane's gateway also connects from loopback, but it sets X-Forwarded-Host).
 */
export function metricsRoutes(metrics: BuilderMetrics, token: string | undefined) {
  return new Hono().get("/metrics", async (c) => {
    const allowed = token
      ? sameSecret(/^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "", token)
      : isLoopback(getConnInfo(c).remote.address) &&
        !c.req.header("x-forwarded-host") &&
        !c.req.header("x-forwarded-for");
    if (!allowed) {
      return c.json(
        {
          error: {
            code: "forbidden",
            message: token
              ? "Send Authorization: Bearer <WEBSPLAT_METRICS_TOKEN>."
              : "Metrics are served to this machine only; set WEBSPLAT_METRICS_TOKEN to scrape from elsewhere.",
          },
        },
        403,
      );
    }
    return c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  });
}

function isLoopback(address: string | undefined): boolean {
  return (
    address === "::1" || address?.startsWith("127.") === true || address?.startsWith("::ffff:127.") === true
  );
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

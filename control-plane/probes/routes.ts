import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { and, desc, eq, gte, isNull, or } from "drizzle-orm";
import { probeIncidents, probeTargets } from "../db/schema.ts";
import { apiRoute } from "../http/api-route.ts";
import type { Services } from "../platform-services.ts";
import { uptime } from "./uptime.ts";

const TargetSchema = z.object({
  kind: z.string(),
  target: z.string(),
  state: z.enum(["up", "down", "idle"]),
  consecutiveFailures: z.number(),
  alerting: z.boolean(),
  since: z.string(),
  lastCheckedAt: z.string(),
  lastLatencyMs: z.number().nullable(),
  lastError: z.string().nullable(),
});

const IncidentSchema = z.object({
  id: z.number(),
  kind: z.string(),
  target: z.string(),
  startedAt: z.string(),
  resolvedAt: z.string().nullable(),
  error: z.string().nullable(),
});

const DaysSchema = z.array(z.object({ day: z.string(), uptime: z.number().nullable() }));

/** Probe states and alerts for operators; one tenant's own uptime for its runtime (the owner's builder). */
export function probeRoutes(app: OpenAPIHono, services: Services) {
  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/probes",
      summary: "Every probed target's state, the alerts firing, and incidents of the last 7 days",
      tags: ["admin"],
      admin: true,
      query: z.object({
        kind: z.enum(["tenant", "component", "site"]).optional(),
        alerting: z.enum(["true", "false"]).optional(),
      }),
      responses: {
        200: {
          description: "States and incidents",
          schema: z.object({ targets: z.array(TargetSchema), incidents: z.array(IncidentSchema) }),
        },
        400: { description: "Bad query" },
        401: { description: "No or wrong admin token" },
      },
    },
    async (c, { query }) => {
      const targets = await services.db
        .select()
        .from(probeTargets)
        .where(
          and(
            query.kind ? eq(probeTargets.kind, query.kind) : undefined,
            query.alerting ? eq(probeTargets.alerting, query.alerting === "true") : undefined,
          ),
        )
        .orderBy(desc(probeTargets.alerting), probeTargets.kind, probeTargets.target);
      const since = new Date(Date.now() - 7 * 86_400_000);
      const incidents = await services.db
        .select()
        .from(probeIncidents)
        .where(
          and(
            query.kind ? eq(probeIncidents.kind, query.kind) : undefined,
            or(gte(probeIncidents.startedAt, since), isNull(probeIncidents.resolvedAt)),
          ),
        )
        .orderBy(desc(probeIncidents.startedAt))
        .limit(500);
      return c.json(
        {
          targets: targets.map((t) => ({
            ...t,
            since: t.since.toISOString(),
            lastCheckedAt: t.lastCheckedAt.toISOString(),
          })),
          incidents: incidents.map((i) => ({
            ...i,
            startedAt: i.startedAt.toISOString(),
            resolvedAt: i.resolvedAt?.toISOString() ?? null,
          })),
        },
        200,
      );
    },
  );

  apiRoute(
    app as never,
    {
      method: "get",
      path: "/api/tenant/uptime",
      summary: "The calling tenant's own uptime over 30 days (runtime's platform token)",
      tags: ["tenant"],
      responses: {
        200: {
          description: "Uptime",
          schema: z.object({
            state: z.enum(["up", "down", "idle"]).nullable(),
            since: z.string().nullable(),
            uptime: z.number().nullable(),
            days: DaysSchema,
          }),
        },
        401: { description: "No or wrong platform token" },
      },
    },
    async (c) => {
      const slug = (c as unknown as { get(key: "tenantSlug"): string }).get("tenantSlug");
      const [state] = await services.db
        .select()
        .from(probeTargets)
        .where(and(eq(probeTargets.kind, "tenant"), eq(probeTargets.target, slug)));
      const summary = await uptime(services.sql, { kind: "tenant", target: slug, days: 30 });
      return c.json(
        { state: state?.state ?? null, since: state?.since.toISOString() ?? null, ...summary },
        200,
      );
    },
  );
}

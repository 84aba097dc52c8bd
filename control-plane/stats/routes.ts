import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { TIERS } from "../../tenant-template/index.ts";
import { apiRoute } from "../http/api-route.ts";
import { ApiError } from "../http/errors.ts";
import { modelUpstream, proxiedModelTokens } from "../models/index.ts";
import type { Services } from "../platform-services.ts";
import { recordBuilderRun } from "./builder-runs.ts";
import { computeKpis } from "./kpis.ts";
import { parseWindow } from "./window.ts";

const perTier = <T extends z.ZodType>(schema: T) =>
  z.object({ starter: schema, pro: schema, studio: schema });

export const KpisSchema = z.object({
  window: z.object({ since: z.string(), until: z.string() }),
  signups: z.object({ started: z.number() }),
  checkouts: z.object({ completed: z.number(), conversionRate: z.number().nullable() }),
  activeTenants: perTier(z.number()).extend({ total: z.number() }),
  mrrCents: z.number(),
  cancellations: z.number(),
  churnRate: z.number().nullable(),
  reactivations: z.number(),
  builder: perTier(z.object({ runs: z.number(), tokens: z.number() })),
  provisioningSeconds: z.object({
    count: z.number(),
    p50: z.number().nullable(),
    p90: z.number().nullable(),
    p99: z.number().nullable(),
  }),
});

/** The most one run can have spent: the largest plan's whole month. */
const MAX_RUN_TOKENS = Math.max(...Object.values(TIERS).map((tier) => tier.tokensPerMonth));
/** A builder reports a run as it finishes, retrying for about half a minute: older reports are backdated. */
const REPORT_MAX_AGE_MS = 24 * 3_600_000;
/** Clocks of the runtime and the platform may differ a little. */
const REPORT_MAX_SKEW_MS = 5 * 60_000;

const BuilderRunBody = z.object({
  runId: z.string().trim().min(1, "name the run").max(100),
  status: z.enum(["completed", "stopped", "failed"]),
  promptTokens: z
    .number()
    .int()
    .min(0)
    .max(MAX_RUN_TOKENS, `one run spends at most ${MAX_RUN_TOKENS} tokens`),
  completionTokens: z
    .number()
    .int()
    .min(0)
    .max(MAX_RUN_TOKENS, `one run spends at most ${MAX_RUN_TOKENS} tokens`),
  finishedAt: z.iso.datetime({ offset: true }).refine((text) => Number.isFinite(Date.parse(text)), {
    message: "not a real date and time",
  }),
});

/**
 * `GET /admin/stats?since=30d`: the launch's business figures (DESIGN §14); `POST /api/tenant/runs`: each
 * builder reports its finished runs, which the figures count.
 */
export function statsRoutes(app: OpenAPIHono, services: Services) {
  apiRoute(
    app as never,
    {
      method: "post",
      path: "/api/tenant/runs",
      summary: "A finished builder run and its model tokens (runtime's platform token)",
      tags: ["tenant"],
      body: BuilderRunBody,
      responses: {
        201: { description: "Recorded", schema: z.object({ recorded: z.literal(true) }) },
        200: {
          description: "Already reported: counted once",
          schema: z.object({ recorded: z.literal(false) }),
        },
        400: { description: "Bad input" },
        401: { description: "No or wrong platform token" },
      },
    },
    async (c, { body }) => {
      const slug = (c as unknown as { get(key: "tenantSlug"): string }).get("tenantSlug");
      const finished = Date.parse(body.finishedAt);
      const now = Date.now();
      if (finished < now - REPORT_MAX_AGE_MS || finished > now + REPORT_MAX_SKEW_MS)
        throw new ApiError(
          400,
          "finished_at_out_of_range",
          "finishedAt must be when the run finished: within the last 24 hours, not in the future.",
        );
      // Runtimes reach the model only through the platform's proxy when it runs one: it knows the most they spent.
      const ceiling = modelUpstream(services.config)
        ? () => proxiedModelTokens(services.db, slug)
        : undefined;
      const recorded = await recordBuilderRun(services.db, slug, body, ceiling);
      return recorded ? c.json({ recorded: true as const }, 201) : c.json({ recorded: false as const }, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/stats",
      summary:
        "Business KPIs over a window: signups, conversion, active tenants, MRR, churn, builder use, provisioning time",
      tags: ["admin"],
      admin: true,
      query: z.object({ since: z.string().max(10).default("30d") }),
      responses: {
        200: { description: "Figures over the window", schema: KpisSchema.extend({ since: z.string() }) },
        400: { description: "Bad window" },
        401: { description: "No or wrong admin token" },
      },
    },
    async (c, { query }) => {
      const window = parseWindow(query.since);
      if (!window)
        throw new ApiError(
          400,
          "bad_window",
          `since must look like 30d, 12h or 90m (at most 3650 days), not "${query.since}".`,
        );
      const until = new Date();
      const kpis = await computeKpis(services.sql, new Date(until.getTime() - window.ms), until);
      return c.json({ since: window.text, ...kpis }, 200);
    },
  );
}

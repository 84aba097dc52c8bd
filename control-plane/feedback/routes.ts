import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { inArray } from "drizzle-orm";
import { tenants } from "../db/schema.ts";
import { apiRoute } from "../http/api-route.ts";
import type { Services } from "../platform-services.ts";
import { listFeedback, recordFeedback } from "./store.ts";

const FeedbackBody = z.object({
  message: z.string().trim().min(1, "write what happened").max(4000, "keep it under 4000 characters"),
  mayContact: z.boolean(),
  page: z.string().max(200).nullish(),
});

const FeedbackEntrySchema = z.object({
  id: z.number(),
  slug: z.string(),
  at: z.string(),
  message: z.string(),
  mayContact: z.boolean(),
  contact: z.string().nullable(),
  page: z.string().nullable(),
});

/** Owners' "Help and feedback" (sent by their runtime) and the operators' list of it. */
export function feedbackRoutes(app: OpenAPIHono, services: Services) {
  apiRoute(
    app as never,
    {
      method: "post",
      path: "/api/tenant/feedback",
      summary: "Feedback an owner sent from the builder (runtime's platform token)",
      tags: ["tenant"],
      body: FeedbackBody,
      responses: {
        201: { description: "Recorded", schema: z.object({ id: z.number() }) },
        400: { description: "Bad input" },
        401: { description: "No or wrong platform token" },
      },
    },
    async (c, { body }) => {
      const slug = (c as unknown as { get(key: "tenantSlug"): string }).get("tenantSlug");
      const id = await recordFeedback(services.db, slug, body);
      services.logger.info({ tenant: slug, feedback: id }, "owner feedback received");
      return c.json({ id }, 201);
    },
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/feedback",
      summary: "What owners sent from the builder, newest first",
      tags: ["admin"],
      admin: true,
      query: z.object({
        slug: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      responses: {
        200: { description: "Entries", schema: z.object({ entries: z.array(FeedbackEntrySchema) }) },
        400: { description: "Bad query" },
        401: { description: "No or wrong admin token" },
      },
    },
    async (c, { query }) => {
      const rows = await listFeedback(services.db, { slug: query.slug, limit: query.limit });
      const slugs = [...new Set(rows.filter((r) => r.mayContact).map((r) => r.slug))];
      const emails = new Map(
        slugs.length === 0
          ? []
          : (
              await services.db
                .select({ slug: tenants.slug, email: tenants.email })
                .from(tenants)
                .where(inArray(tenants.slug, slugs))
            ).map((t) => [t.slug, t.email]),
      );
      const entries = rows.map((r) => ({
        ...r,
        contact: r.mayContact ? (emails.get(r.slug) ?? null) : null,
      }));
      return c.json({ entries }, 200);
    },
  );
}

import { createRoute, z } from "@hono/zod-openapi";
import { adminOnly, errors, json } from "./schemas.ts";

export const listAudit = createRoute({
  method: "get",
  path: "/admin/audit",
  summary: "The audit log, newest first (admin actions, owner links, billing transitions)",
  tags: ["admin"],
  security: adminOnly,
  request: {
    query: z.object({
      slug: z.string().max(64).optional(),
      action: z.string().max(100).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: json(
      "Entries",
      z.object({
        entries: z.array(
          z.object({
            id: z.number(),
            at: z.string(),
            actor: z.string(),
            action: z.string(),
            slug: z.string().nullable(),
            details: z.unknown(),
          }),
        ),
      }),
    ),
    400: errors[400],
    401: errors[401],
  },
});

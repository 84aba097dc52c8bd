import { createRoute, z } from "@hono/zod-openapi";
import { TENANT_STATUSES } from "../../db/schema.ts";
import { ErrorSchema } from "../../http/api-route.ts";
import { adminOnly, Changed, errors, json, Slug, TenantSchema, Tier } from "./schemas.ts";

const tags = ["admin"];
const email = z.string().trim().email("enter a valid email address");

export const listTenants = createRoute({
  method: "get",
  path: "/admin/tenants",
  summary: "List tenants (filter by status, tier or text; cursor pagination, newest first)",
  tags,
  security: adminOnly,
  request: {
    query: z.object({
      status: z.enum(TENANT_STATUSES).optional(),
      tier: Tier.optional(),
      q: z.string().max(100).optional(),
      /** `true`: only journey checks' tenants; `false`: only customers'. */
      check: z.enum(["true", "false"]).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(200).optional(),
    }),
  },
  responses: {
    200: json(
      "A page of tenants",
      z.object({ tenants: z.array(TenantSchema), nextCursor: z.string().nullable(), total: z.number() }),
    ),
    400: errors[400],
    401: errors[401],
  },
});

export const createTenant = createRoute({
  method: "post",
  path: "/admin/tenants",
  summary: "Create a comped tenant (no payment; the same provisioning pipeline)",
  tags,
  security: adminOnly,
  request: {
    body: {
      content: { "application/json": { schema: z.object({ slug: z.string().max(64), email, tier: Tier }) } },
      required: true,
    },
  },
  responses: {
    201: json("Created; provisioning started", Changed),
    400: errors[400],
    401: errors[401],
    409: json("Slug taken", ErrorSchema),
  },
});

export const getTenant = createRoute({
  method: "get",
  path: "/admin/tenants/{slug}",
  summary: "One tenant, with its live runtime state",
  tags,
  security: adminOnly,
  request: { params: Slug },
  responses: { 200: json("The tenant", TenantSchema), 401: errors[401], 404: errors[404] },
});

export const updateTenant = createRoute({
  method: "patch",
  path: "/admin/tenants/{slug}",
  summary: "Change a tenant's tier or email",
  tags,
  security: adminOnly,
  request: {
    params: Slug,
    body: {
      content: {
        "application/json": {
          schema: z
            .object({ tier: Tier.optional(), email: email.optional() })
            .refine((value) => value.tier !== undefined || value.email !== undefined, "give tier or email"),
        },
      },
      required: true,
    },
  },
  responses: { 200: json("Changed", Changed), 400: errors[400], 401: errors[401], 404: errors[404] },
});

export const deleteTenant = createRoute({
  method: "delete",
  path: "/admin/tenants/{slug}",
  summary: "Delete a tenant now: runtime, route, schema and role (the slug is never reissued)",
  tags,
  security: adminOnly,
  request: { params: Slug },
  responses: { 202: json("Deletion started", Changed), 401: errors[401], 404: errors[404] },
});

/** Suspend and resume differ only in their path and summary. */
function desiredStateRoute<A extends "suspend" | "resume">(action: A, summary: string) {
  return createRoute({
    method: "post",
    path: `/admin/tenants/{slug}/${action}` as `/admin/tenants/{slug}/${A}`,
    summary,
    tags,
    security: adminOnly,
    request: { params: Slug },
    responses: {
      202: json("Reconcile started", Changed),
      401: errors[401],
      404: errors[404],
      409: json("Deleted or unpaid", ErrorSchema),
    },
  });
}

export const suspendTenant = desiredStateRoute("suspend", "Suspend: zero replicas, data and address kept");
export const resumeTenant = desiredStateRoute("resume", "Resume a suspended tenant");

export const reconcileTenant = createRoute({
  method: "post",
  path: "/admin/tenants/{slug}/reconcile",
  summary: "Reconcile now (retry a failed tenant, repair drift)",
  tags,
  security: adminOnly,
  request: { params: Slug },
  responses: { 202: json("Reconcile queued", Changed), 401: errors[401], 404: errors[404] },
});

export const issueOwnerLink = createRoute({
  method: "post",
  path: "/admin/tenants/{slug}/owner-link",
  summary: "Issue a one-time sign-in link for the tenant's owner (audited)",
  tags,
  security: adminOnly,
  request: { params: Slug },
  responses: {
    200: json("The link", z.object({ url: z.string(), expiresAt: z.string() })),
    401: errors[401],
    404: errors[404],
    409: json("Not active", ErrorSchema),
  },
});

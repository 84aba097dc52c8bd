import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { and, count, desc, eq, ilike, lt, or, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import { SLUG_PATTERN, TIER_NAMES } from "../../tenant-template/index.ts";
import { auditLog, OPERATION_STATUSES, TENANT_STATUSES, tenants } from "../db/schema.ts";
import { apiRoute, ErrorSchema } from "../http/api-route.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { ownerLink, type Services, specFor, tenantUrl } from "../platform-services.ts";
import { audit } from "../registry/audit.ts";
import { operationView } from "../registry/operations.ts";
import { runStackOperation } from "../registry/stack-operations.ts";
import {
  changeDesired,
  type DesiredChange,
  findTenant,
  requireTenant,
  slugAvailability,
  tenantView,
} from "../registry/tenants.ts";
import { streamOperation } from "./operation-stream.ts";

const Slug = z.object({ slug: z.string().regex(SLUG_PATTERN, "not a tenant slug") });
const Tier = z.enum(TIER_NAMES);
const TenantSchema = z.object({
  slug: z.string(),
  email: z.string(),
  tier: Tier,
  status: z.enum(TENANT_STATUSES),
  desired: z.enum(["active", "suspended", "deleted"]),
  generation: z.number(),
  observedGeneration: z.number(),
  grace: z.boolean(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  url: z.string(),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  stripeCustomerId: z.string().nullable(),
  stripeSubscriptionId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deleteAfter: z.string().nullable(),
});
const OperationSchema = z.object({
  id: z.string(),
  slug: z.string(),
  kind: z.string(),
  status: z.enum(OPERATION_STATUSES),
  generation: z.number().nullable(),
  attempt: z.number(),
  reason: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  result: z.unknown(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  log: z
    .array(
      z.object({
        seq: z.number(),
        at: z.string(),
        level: z.string(),
        step: z.string().nullable(),
        message: z.string(),
      }),
    )
    .optional(),
});
const Changed = z.object({ tenant: TenantSchema, operationId: z.string().nullable() });
const OperationStarted = z.object({ operationId: z.string() });
const errors = {
  400: { description: "Invalid input", schema: ErrorSchema },
  401: { description: "Missing or wrong admin token", schema: ErrorSchema },
  404: { description: "No such tenant", schema: ErrorSchema },
};

/** DESIGN §7 admin API: JSON, behind the bearer token (mounted under /admin by the app). */
export function adminRoutes(app: OpenAPIHono, services: Services) {
  const view = (tenant: Parameters<typeof tenantView>[0]) =>
    tenantView(tenant, tenantUrl(services, tenant.slug));
  /** The token that acted (`admin:bootstrap`, `admin:token:<name>`), as the audit log names it. */
  const actorOf = (c: Context) => `admin:${c.get("adminActor")}`;

  /** Applies a desired-state change as one transaction, then asks for a reconcile. */
  const change = async (actor: string, slug: string, patch: DesiredChange, action: string) => {
    const result = await services.db.transaction(async (tx) => {
      const tenant = await findTenant(tx, slug, { lock: true });
      if (!tenant) throw notFound(`Tenant "${slug}"`);
      if (tenant.desired === "deleted" && patch.desired !== undefined) {
        throw new ApiError(409, "tenant_deleted", `Tenant "${slug}" is deleted; its slug is never reissued.`);
      }
      if (tenant.status === "awaiting_payment" && patch.desired !== "deleted") {
        throw new ApiError(
          409,
          "awaiting_payment",
          `Tenant "${slug}" has not paid yet; nothing runs to ${action}.`,
        );
      }
      return await changeDesired(tx, tenant, patch);
    });
    await audit(services, actor, `tenant.${action}`, slug, { ...patch });
    const operationId = await services.reconciler.request(slug, `admin ${action}`);
    services.operations.tenantChanged(slug);
    return { tenant: view(result.tenant), operationId };
  };

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tenants",
      summary: "List tenants (filter by status, tier or text; cursor pagination, newest first)",
      tags: ["admin"],
      admin: true,
      query: z.object({
        status: z.enum(TENANT_STATUSES).optional(),
        tier: Tier.optional(),
        q: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
        cursor: z.string().max(200).optional(),
      }),
      responses: {
        200: {
          description: "A page of tenants",
          schema: z.object({
            tenants: z.array(TenantSchema),
            nextCursor: z.string().nullable(),
            total: z.number(),
          }),
        },
        400: errors[400],
        401: errors[401],
      },
    },
    async (c, { query }) => {
      const filters: (SQL | undefined)[] = [
        query.status ? eq(tenants.status, query.status) : undefined,
        query.tier ? eq(tenants.tier, query.tier) : undefined,
        query.q
          ? or(
              ilike(tenants.slug, `%${escapeLike(query.q)}%`),
              ilike(tenants.email, `%${escapeLike(query.q)}%`),
            )
          : undefined,
      ];
      const where = and(...filters);
      let pageWhere = where;
      if (query.cursor) {
        const [at, slug] = decodeCursor(query.cursor);
        pageWhere = and(
          where,
          or(lt(tenants.createdAt, at), and(eq(tenants.createdAt, at), lt(tenants.slug, slug))),
        );
      }
      const [rows, [total]] = await Promise.all([
        services.db
          .select()
          .from(tenants)
          .where(pageWhere)
          .orderBy(desc(tenants.createdAt), desc(tenants.slug))
          .limit(query.limit + 1),
        services.db.select({ total: count() }).from(tenants).where(where),
      ]);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const nextCursor = rows.length > query.limit && last ? encodeCursor(last.createdAt, last.slug) : null;
      return c.json({ tenants: page.map(view), nextCursor, total: total?.total ?? 0 }, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/tenants",
      summary: "Create a comped tenant (no payment; the same provisioning pipeline)",
      tags: ["admin"],
      admin: true,
      body: z.object({
        slug: z.string().max(64),
        email: z.string().trim().email("enter a valid email address"),
        tier: Tier,
      }),
      responses: {
        201: { description: "Created; provisioning started", schema: Changed },
        400: errors[400],
        401: errors[401],
        409: { description: "Slug taken", schema: ErrorSchema },
      },
    },
    async (c, { body }) => {
      const created = await services.db.transaction(async (tx) => {
        const availability = await slugAvailability(tx, body.slug);
        if (!availability.available) {
          throw new ApiError(
            availability.code === "taken" ? 409 : 400,
            `slug_${availability.code}`,
            availability.reason,
          );
        }
        await tx
          .delete(tenants)
          .where(and(eq(tenants.slug, body.slug), eq(tenants.status, "awaiting_payment")));
        const [row] = await tx
          .insert(tenants)
          .values({
            slug: body.slug,
            email: body.email,
            tier: body.tier,
            desired: "active",
            generation: 1,
            status: "provisioning",
            source: "admin",
          })
          .onConflictDoNothing()
          .returning();
        if (!row) throw new ApiError(409, "slug_taken", `"${body.slug}" is already taken.`);
        return row;
      });
      await audit(services, actorOf(c), "tenant.create", created.slug, { tier: created.tier });
      const operationId = await services.reconciler.request(created.slug, "admin create");
      return c.json({ tenant: view(created), operationId }, 201);
    },
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tenants/:slug",
      summary: "One tenant, with its live runtime state",
      tags: ["admin"],
      admin: true,
      params: Slug,
      responses: {
        200: { description: "The tenant", schema: TenantSchema },
        401: errors[401],
        404: errors[404],
      },
    },
    async (c, { params }) => {
      const tenant = await requireTenant(services.db, params.slug);
      const live =
        tenant.status === "deleted" ? null : await services.driver.outputs(tenant.slug).catch(() => null);
      return c.json(
        { ...view(tenant), outputs: (live as Record<string, unknown> | null) ?? tenant.outputs ?? null },
        200,
      );
    },
  );

  apiRoute(
    app,
    {
      method: "patch",
      path: "/admin/tenants/:slug",
      summary: "Change a tenant's tier or email",
      tags: ["admin"],
      admin: true,
      params: Slug,
      body: z
        .object({
          tier: Tier.optional(),
          email: z.string().trim().email("enter a valid email address").optional(),
        })
        .refine((value) => value.tier !== undefined || value.email !== undefined, "give tier or email"),
      responses: {
        200: { description: "Changed", schema: Changed },
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    },
    async (c, { params, body }) => c.json(await change(actorOf(c), params.slug, { ...body }, "update"), 200),
  );

  apiRoute(
    app,
    {
      method: "delete",
      path: "/admin/tenants/:slug",
      summary: "Delete a tenant now: runtime, route, schema and role (the slug is never reissued)",
      tags: ["admin"],
      admin: true,
      params: Slug,
      responses: {
        202: { description: "Deletion started", schema: Changed },
        401: errors[401],
        404: errors[404],
      },
    },
    async (c, { params }) =>
      c.json(await change(actorOf(c), params.slug, { desired: "deleted", deleteAfter: null }, "delete"), 202),
  );

  for (const [action, patch, summary] of [
    ["suspend", { desired: "suspended" }, "Suspend: zero replicas, data and address kept"],
    ["resume", { desired: "active", deleteAfter: null }, "Resume a suspended tenant"],
  ] as const) {
    apiRoute(
      app,
      {
        method: "post",
        path: `/admin/tenants/:slug/${action}`,
        summary,
        tags: ["admin"],
        admin: true,
        params: Slug,
        responses: {
          202: { description: "Reconcile started", schema: Changed },
          401: errors[401],
          404: errors[404],
          409: { description: "Deleted or unpaid", schema: ErrorSchema },
        },
      },
      async (c, { params }) => c.json(await change(actorOf(c), params.slug, { ...patch }, action), 202),
    );
  }

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/tenants/:slug/reconcile",
      summary: "Reconcile now (retry a failed tenant, repair drift)",
      tags: ["admin"],
      admin: true,
      params: Slug,
      responses: {
        202: { description: "Reconcile queued", schema: Changed },
        401: errors[401],
        404: errors[404],
      },
    },
    async (c, { params }) => {
      const tenant = await requireTenant(services.db, params.slug);
      await audit(services, actorOf(c), "tenant.reconcile", tenant.slug);
      const operationId = await services.reconciler.request(tenant.slug, "admin reconcile");
      return c.json({ tenant: view(tenant), operationId }, 202);
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/tenants/:slug/owner-link",
      summary: "Issue a one-time sign-in link for the tenant's owner (audited)",
      tags: ["admin"],
      admin: true,
      params: Slug,
      responses: {
        200: { description: "The link", schema: z.object({ url: z.string(), expiresAt: z.string() }) },
        401: errors[401],
        404: errors[404],
        409: { description: "Not active", schema: ErrorSchema },
      },
    },
    async (c, { params }) => {
      const tenant = await requireTenant(services.db, params.slug);
      if (tenant.status !== "active") {
        throw new ApiError(
          409,
          "not_active",
          `Tenant "${tenant.slug}" is ${tenant.status}; owner links work for active tenants only.`,
        );
      }
      const link = ownerLink(services, tenant);
      await audit(services, actorOf(c), "tenant.owner_link", tenant.slug, { expiresAt: link.expiresAt });
      return c.json(link, 200);
    },
  );

  for (const kind of ["preview", "refresh", "cancel"] as const) {
    apiRoute(
      app,
      {
        method: "post",
        path: `/admin/tenants/:slug/stack/${kind}`,
        summary: `Stack ${kind} (runs in the background; follow the operation)`,
        tags: ["stack"],
        admin: true,
        params: Slug,
        responses: {
          202: { description: "Operation started", schema: OperationStarted },
          401: errors[401],
          404: errors[404],
        },
      },
      async (c, { params }) => {
        const tenant = await requireTenant(services.db, params.slug);
        await audit(services, actorOf(c), `stack.${kind}`, tenant.slug);
        const operationId = await runStackOperation(services, tenant.slug, kind, async (ctx) => {
          if (kind === "preview") return await services.driver.preview(specFor(services, tenant), ctx);
          if (kind === "refresh") return await services.driver.refresh(tenant.slug, ctx);
          return await services.driver.cancel(tenant.slug, ctx);
        });
        return c.json({ operationId }, 202);
      },
    );
  }

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tenants/:slug/stack/outputs",
      summary: "The stack's outputs",
      tags: ["stack"],
      admin: true,
      params: Slug,
      responses: {
        200: { description: "Outputs", schema: z.record(z.string(), z.unknown()) },
        401: errors[401],
        404: errors[404],
      },
    },
    async (c, { params }) => {
      await requireTenant(services.db, params.slug);
      const outputs = await services.driver.outputs(params.slug);
      if (!outputs)
        throw new ApiError(
          404,
          "no_stack",
          `Tenant "${params.slug}" has no stack yet (never provisioned, or deleted).`,
        );
      return c.json(outputs, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tenants/:slug/stack/export",
      summary: "The stack's state document",
      tags: ["stack"],
      admin: true,
      params: Slug,
      responses: {
        200: { description: "State", schema: z.record(z.string(), z.unknown()) },
        401: errors[401],
        404: errors[404],
      },
    },
    async (c, { params }) => {
      await requireTenant(services.db, params.slug);
      try {
        return c.json((await services.driver.export(params.slug)) as Record<string, unknown>, 200);
      } catch (error) {
        if ((error as { code?: string }).code === "not_found")
          throw new ApiError(404, "no_stack", (error as Error).message);
        throw error;
      }
    },
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tenants/:slug/operations",
      summary: "A tenant's operations, newest first",
      tags: ["operations"],
      admin: true,
      params: Slug,
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      responses: {
        200: { description: "Operations", schema: z.object({ operations: z.array(OperationSchema) }) },
        401: errors[401],
        404: errors[404],
      },
    },
    async (c, { params, query }) => {
      await requireTenant(services.db, params.slug);
      const rows = await services.operations.forTenant(params.slug, query.limit);
      return c.json({ operations: rows.map((row) => operationView(row)) }, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/operations",
      summary: "Recent operations across tenants",
      tags: ["operations"],
      admin: true,
      query: z.object({
        status: z.enum(OPERATION_STATUSES).optional(),
        slug: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      responses: {
        200: { description: "Operations", schema: z.object({ operations: z.array(OperationSchema) }) },
        400: errors[400],
        401: errors[401],
      },
    },
    async (c, { query }) => {
      const rows = await services.operations.list(query);
      return c.json({ operations: rows.map((row) => operationView(row)) }, 200);
    },
  );

  const OperationId = z.object({ id: z.string().uuid("not an operation id") });
  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/operations/:id",
      summary: "One operation with its log",
      tags: ["operations"],
      admin: true,
      params: OperationId,
      responses: {
        200: { description: "The operation", schema: OperationSchema },
        401: errors[401],
        404: { description: "No such operation", schema: ErrorSchema },
      },
    },
    async (c, { params }) => {
      const operation = await services.operations.get(params.id);
      if (!operation) throw notFound(`Operation ${params.id}`);
      return c.json(operationView(operation, await services.operations.lines(operation.id)), 200);
    },
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/operations/:id/events",
      summary: "An operation's log as Server-Sent Events (log…, then end)",
      tags: ["operations"],
      admin: true,
      params: OperationId,
      responses: {
        200: { description: "SSE stream", schema: z.string(), contentType: "text/event-stream" },
        401: errors[401],
        404: { description: "No such operation", schema: ErrorSchema },
      },
    },
    async (c, { params }) => {
      const operation = await services.operations.get(params.id);
      if (!operation) throw notFound(`Operation ${params.id}`);
      return streamOperation(c, services.operations, operation.id);
    },
  );
}

/** The audit log: admin actions, owner-link issuance, billing transitions. */
export function auditRoutes(app: OpenAPIHono, services: Services) {
  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/audit",
      summary: "The audit log, newest first (admin actions, owner links, billing transitions)",
      tags: ["admin"],
      admin: true,
      query: z.object({
        slug: z.string().max(64).optional(),
        action: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      responses: {
        200: {
          description: "Entries",
          schema: z.object({
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
        },
        400: errors[400],
        401: errors[401],
      },
    },
    async (c, { query }) => {
      const rows = await services.db
        .select()
        .from(auditLog)
        .where(
          and(
            query.slug ? eq(auditLog.slug, query.slug) : undefined,
            query.action ? eq(auditLog.action, query.action) : undefined,
          ),
        )
        .orderBy(desc(auditLog.id))
        .limit(query.limit);
      return c.json(
        { entries: rows.map((row) => ({ ...row, at: row.at.toISOString(), details: row.details ?? null })) },
        200,
      );
    },
  );
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function encodeCursor(at: Date, slug: string): string {
  return Buffer.from(`${at.toISOString()}|${slug}`).toString("base64url");
}

function decodeCursor(cursor: string): [Date, string] {
  const [at, slug] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const date = new Date(at ?? "");
  if (!slug || Number.isNaN(date.getTime()))
    throw new ApiError(400, "invalid_cursor", "The cursor is not one this API returned.");
  return [date, slug];
}

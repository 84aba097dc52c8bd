import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { SLUG_PATTERN } from "../../tenant-template/index.ts";
import {
  BACKUP_ID,
  BackupError,
  backupControlPlane,
  backupDeps,
  backupStore,
  backupTenant,
  listBackups,
  restoreTenant,
  summarize,
} from "../backups/index.ts";
import { apiRoute, ErrorSchema } from "../http/api-route.ts";
import { ApiError } from "../http/errors.ts";
import type { Services } from "../platform-services.ts";
import { audit } from "../registry/audit.ts";
import { requireTenant } from "../registry/tenants.ts";

const Slug = z.object({ slug: z.string().regex(SLUG_PATTERN, "not a tenant slug") });
const BackupSchema = z.object({
  id: z.string(),
  slug: z.string(),
  createdAt: z.string(),
  sizeBytes: z.number(),
  checksum: z.string(),
  location: z.string(),
  migrationVersion: z.number().nullable(),
  tables: z.record(z.string(), z.number()),
});
const errors = {
  400: { description: "Invalid input", schema: ErrorSchema },
  401: { description: "Missing or wrong admin token", schema: ErrorSchema },
  404: { description: "No such tenant or backup", schema: ErrorSchema },
  409: { description: "The tenant's database cannot take part now", schema: ErrorSchema },
};

const STATUS: Record<BackupError["code"], 404 | 409 | 422> = {
  backup_not_found: 404,
  backup_corrupt: 422,
  backup_too_new: 409,
  tenant_database_missing: 409,
  tenant_data_unreadable: 409,
  restore_needs_suspended_tenant: 409,
};

/** Backup failures the operator can act on become 4xx answers with their code. */
async function answering<T>(services: Services, slug: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackupError) {
      services.logger.warn({ tenant: slug, code: error.code, reason: error.message }, "backup refused");
      throw new ApiError(STATUS[error.code], error.code, error.message);
    }
    throw error;
  }
}

/** Backups and restores of tenants and of the control plane (admin, audited). */
export function backupRoutes(app: OpenAPIHono, services: Services) {
  /** The token that acted (`admin:bootstrap`, `admin:token:<name>`), as the audit log names it. */
  const actorOf = (c: Context) => `admin:${c.get("adminActor")}`;

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tenants/:slug/backups",
      summary: "A tenant's backups, newest first",
      tags: ["backups"],
      admin: true,
      params: Slug,
      responses: {
        200: { description: "Backups", schema: z.object({ backups: z.array(BackupSchema) }) },
        401: errors[401],
        404: errors[404],
      },
    },
    async (c, { params }) => {
      await requireTenant(services.db, params.slug);
      const store = backupStore(services);
      const manifests = await listBackups(store, params.slug);
      return c.json({ backups: manifests.map((manifest) => summarize(store, params.slug, manifest)) }, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/tenants/:slug/backups",
      summary: "Take a backup of the tenant's database now (every table, checksummed)",
      tags: ["backups"],
      admin: true,
      params: Slug,
      responses: {
        201: { description: "The backup", schema: z.object({ backup: BackupSchema }) },
        401: errors[401],
        404: errors[404],
        409: errors[409],
      },
    },
    async (c, { params }) => {
      await requireTenant(services.db, params.slug);
      const backup = await answering(services, params.slug, () =>
        backupTenant(backupDeps(services), params.slug),
      );
      await audit(services, actorOf(c), "backup.create", params.slug, {
        backupId: backup.id,
        checksum: backup.checksum,
      });
      return c.json({ backup }, 201);
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/tenants/:slug/restore",
      summary:
        "Restore a backup into the tenant, or into another existing tenant (`target`); the runtime restarts",
      tags: ["backups"],
      admin: true,
      params: Slug,
      body: z.object({
        backupId: z.string().regex(BACKUP_ID, "not a backup id (see GET /admin/tenants/:slug/backups)"),
        target: z.string().regex(SLUG_PATTERN, "not a tenant slug").optional(),
      }),
      responses: {
        200: {
          description: "Restored; the operation restarts the runtime",
          schema: z.object({
            backup: BackupSchema,
            target: z.string(),
            tables: z.record(z.string(), z.number()),
            operationId: z.string(),
          }),
        },
        400: errors[400],
        401: errors[401],
        404: errors[404],
        409: errors[409],
        422: { description: "The backup is damaged", schema: ErrorSchema },
      },
    },
    async (c, { params, body }) => {
      const target = body.target ?? params.slug;
      const targetTenant = await requireTenant(services.db, target);
      if (targetTenant.status === "deleted" || targetTenant.status === "awaiting_payment") {
        throw new ApiError(
          409,
          "target_not_provisioned",
          `Tenant "${target}" is ${targetTenant.status}; restore into a provisioned tenant (create one with \`websplat tenants create\`).`,
        );
      }
      const restored = await answering(services, target, () =>
        restoreTenant(services, { slug: params.slug, backupId: body.backupId, target }),
      );
      await audit(services, actorOf(c), "backup.restore", target, {
        backupId: body.backupId,
        from: params.slug,
        operationId: restored.operationId,
      });
      return c.json({ ...restored, target }, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/backups/control-plane",
      summary: "Take a backup of the control plane's own tables now",
      tags: ["backups"],
      admin: true,
      responses: {
        201: { description: "The backup", schema: z.object({ backup: BackupSchema }) },
        401: errors[401],
      },
    },
    async (c) => {
      const backup = await backupControlPlane(backupDeps(services));
      await audit(services, actorOf(c), "backup.control_plane", null, {
        backupId: backup.id,
        checksum: backup.checksum,
      });
      return c.json({ backup }, 201);
    },
  );
}

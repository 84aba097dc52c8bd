import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { SLUG_PATTERN } from "../../tenant-template/index.ts";
import { BackupError } from "../backups/index.ts";
import { eraseTenant, exportTenant } from "../data-rights/index.ts";
import { apiRoute, ErrorSchema } from "../http/api-route.ts";
import { ApiError } from "../http/errors.ts";
import type { Services } from "../platform-services.ts";
import { audit } from "../registry/audit.ts";

const Slug = z.object({ slug: z.string().regex(SLUG_PATTERN, "not a tenant slug") });
const errors = {
  401: { description: "Missing or wrong admin token", schema: ErrorSchema },
  404: { description: "No such tenant", schema: ErrorSchema },
};

/** An owner's requests about their data: export everything, or erase it (admin, audited). */
export function dataRightsRoutes(app: OpenAPIHono, services: Services) {
  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tenants/:slug/export",
      summary: "Everything of the tenant's owner as a zip: account data, site files, the builder's database",
      tags: ["data rights"],
      admin: true,
      params: Slug,
      responses: {
        200: { description: "The archive", schema: z.string(), contentType: "application/zip" },
        401: errors[401],
        404: errors[404],
        409: {
          description: "The tenant's data cannot be read with its own database role",
          schema: ErrorSchema,
        },
      },
    },
    async (c, { params }) => {
      const archive = await exportTenant(services, params.slug).catch((error) => {
        if (error instanceof BackupError) throw new ApiError(409, error.code, error.message);
        throw error;
      });
      await audit(services, "admin", "tenant.export", params.slug, { bytes: archive.byteLength });
      return c.body(archive as Uint8Array<ArrayBuffer>, 200, {
        "content-type": "application/zip",
        "content-disposition": `attachment; filename="websplat-${params.slug}-export.zip"`,
      });
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/tenants/:slug/erase",
      summary:
        "Erase the tenant: runtime, database, backups and logs deleted, personal data scrubbed; slug retired",
      tags: ["data rights"],
      admin: true,
      params: Slug,
      responses: {
        200: {
          description: "Erased",
          schema: z.object({
            erased: z.object({
              slug: z.string(),
              erasedAt: z.string(),
              backupObjectsDeleted: z.number(),
              operationLogLinesDeleted: z.number(),
              auditEntriesScrubbed: z.number(),
              billingEventsScrubbed: z.number(),
            }),
          }),
        },
        401: errors[401],
        404: errors[404],
      },
    },
    async (c, { params }) => {
      const erased = await eraseTenant(services, params.slug);
      await audit(services, "admin", "tenant.erase", params.slug, { ...erased });
      return c.json({ erased }, 200);
    },
  );
}

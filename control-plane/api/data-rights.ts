import { Readable } from "node:stream";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { html } from "hono/html";
import { SLUG_PATTERN } from "../../tenant-template/index.ts";
import { BackupError } from "../backups/index.ts";
import {
  EXPORT_LINK_DAYS,
  emailedExport,
  eraseTenant,
  exportTenant,
  sendExport,
} from "../data-rights/index.ts";
import { apiRoute, ErrorSchema } from "../http/api-route.ts";
import { ApiError } from "../http/errors.ts";
import type { Services } from "../platform-services.ts";
import { audit } from "../registry/audit.ts";
import { page } from "../web/layout.ts";
import { actorOf } from "./admin/actor.ts";

/** A tenant whose data its own database role cannot read: the caller's conflict, not a server fault. */
const unreadable = {
  description: "The tenant's data cannot be read with its own database role",
  schema: ErrorSchema,
};
const asConflict =
  (services: Services, slug: string) =>
  (error: unknown): never => {
    if (error instanceof BackupError) {
      services.logger.warn(
        { tenant: slug, code: error.code, reason: error.message },
        "tenant data not exported",
      );
      throw new ApiError(409, error.code, error.message);
    }
    throw error;
  };
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
        409: unreadable,
      },
    },
    async (c, { params }) => {
      const archive = await exportTenant(services, params.slug).catch(asConflict(services, params.slug));
      await audit(services, actorOf(c), "tenant.export", params.slug, { bytes: archive.byteLength });
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
      path: "/admin/tenants/:slug/export",
      summary: `Make the owner's export and email them a link to download it (it works for ${EXPORT_LINK_DAYS} days)`,
      tags: ["data rights"],
      admin: true,
      params: Slug,
      responses: {
        202: {
          description: "The export is made and the email queued",
          schema: z.object({ export: z.object({ sentTo: z.string(), expiresAt: z.string() }) }),
        },
        401: errors[401],
        404: errors[404],
        409: unreadable,
      },
    },
    async (c, { params }) => {
      const sent = await sendExport(services, params.slug).catch(asConflict(services, params.slug));
      const view = { sentTo: sent.sentTo, expiresAt: sent.expiresAt.toISOString() };
      await audit(services, actorOf(c), "tenant.export", params.slug, {
        emailed: true,
        expiresAt: view.expiresAt,
      });
      return c.json({ export: view }, 202);
    },
  );

  // The emailed link: the signature is the credential, so it opens without a session.
  app.get("/exports/:slug/:id/:signature", async (c) => {
    const found = await emailedExport(services, c.req.param());
    if (typeof found === "string")
      return c.html(
        page({
          title: found === "expired" ? "Export expired" : "No such export",
          body: html`<h1>${found === "expired" ? "This export has expired" : "No such export"}</h1>
<p>${found === "expired" ? `Export links work for ${EXPORT_LINK_DAYS} days, then the export is deleted.` : "This link is not a WebSplat export, or it was mistyped."} Ask for a new export by writing to the address in the email you received.</p>`,
        }),
        found === "expired" ? 410 : 404,
      );
    return c.body(Readable.toWeb(found) as ReadableStream, 200, {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="websplat-${c.req.param("slug")}-export.zip"`,
      "cache-control": "private, no-store",
    });
  });

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/tenants/:slug/erase",
      summary:
        "Erase the tenant: runtime, database, backups, logs, published sites, files, form submissions and feedback deleted, custom domains released, personal data scrubbed; slug retired",
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
              sitesDeleted: z.number(),
              siteVersionsDeleted: z.number(),
              siteFilesDeleted: z.number(),
              domainsReleased: z.array(z.string()),
              submissionsDeleted: z.number(),
              feedbackDeleted: z.number(),
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
      await audit(services, actorOf(c), "tenant.erase", params.slug, { ...erased });
      return c.json({ erased }, 200);
    },
  );
}

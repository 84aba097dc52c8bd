import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { SLUG_PATTERN } from "../../tenant-template/index.ts";
import { actorOf } from "../api/admin/actor.ts";
import { apiRoute, ErrorSchema } from "../http/api-route.ts";
import { audit } from "../registry/audit.ts";
import { requireTenant } from "../registry/tenants.ts";
import { domainView, listDomains, normaliseHostname, releaseDomain } from "./domains.ts";
import { listSites, listVersions } from "./registry.ts";
import type { Sites } from "./service.ts";
import { checkAll } from "./tenant-api.ts";

const Slug = z.object({ slug: z.string().regex(SLUG_PATTERN, "not a tenant slug") });
const Domain = z.object({
  hostname: z.string(),
  site: z.string(),
  status: z.enum(["pending", "verified", "active", "failed"]),
  records: z.array(z.object({ type: z.enum(["CNAME", "TXT"]), name: z.string(), value: z.string() })),
  reason: z.string().optional(),
  checkedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
const Hostname = z.object({ hostname: z.string().min(1).max(253) });
const SiteSchema = z.object({
  name: z.string(),
  projectId: z.string(),
  url: z.string(),
  liveVersion: z.number().nullable(),
  versions: z.number(),
  updatedAt: z.string(),
  domains: z.array(z.string()),
});
const errors = {
  401: { description: "Missing or wrong admin token", schema: ErrorSchema },
  404: { description: "No such tenant", schema: ErrorSchema },
};

/** `websplat sites list` and `websplat domains list|check|release`: admin, audited. */
export function siteAdminRoutes(app: OpenAPIHono, sites: Sites) {
  const { services } = sites;
  const { db } = services;

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tenants/:slug/sites",
      summary: "A tenant's published sites: address, live version, versions kept, custom domains",
      tags: ["sites"],
      admin: true,
      params: Slug,
      responses: {
        200: { description: "Sites", schema: z.object({ sites: z.array(SiteSchema) }) },
        ...errors,
      },
    },
    async (c, { params }) => {
      const tenant = await requireTenant(db, params.slug);
      const domains = await listDomains(db, tenant.slug);
      const rows = [];
      for (const site of await listSites(db, tenant.slug)) {
        rows.push({
          name: site.name,
          projectId: site.projectId,
          url: sites.url({ site: site.name, slug: tenant.slug }),
          liveVersion: site.liveVersion,
          versions: (await listVersions(db, tenant.slug, site.name)).length,
          updatedAt: site.updatedAt.toISOString(),
          domains: domains.filter((d) => d.site === site.name).map((d) => d.hostname),
        });
      }
      return c.json({ sites: rows }, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/admin/tenants/:slug/domains",
      summary: "A tenant's custom domains with their DNS records and status",
      tags: ["sites"],
      admin: true,
      params: Slug,
      responses: {
        200: { description: "Domains", schema: z.object({ domains: z.array(Domain) }) },
        ...errors,
      },
    },
    async (c, { params }) => {
      const tenant = await requireTenant(db, params.slug);
      const domains = await listDomains(db, tenant.slug);
      return c.json({ domains: domains.map((d) => domainView(d, sites.target)) }, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/tenants/:slug/domains/check",
      summary: "Look up every custom domain of the tenant in DNS now and move each on (audited)",
      tags: ["sites"],
      admin: true,
      params: Slug,
      responses: {
        200: { description: "Domains after the check", schema: z.object({ domains: z.array(Domain) }) },
        ...errors,
      },
    },
    async (c, { params }) => {
      const tenant = await requireTenant(db, params.slug);
      const checked = await checkAll(sites, tenant, await listDomains(db, tenant.slug));
      await audit(services, actorOf(c), "domains.check", tenant.slug, {
        domains: checked.map((d) => ({ hostname: d.hostname, status: d.status })),
      });
      return c.json({ domains: checked.map((d) => domainView(d, sites.target)) }, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/admin/domains/:hostname/release",
      summary: "Free a custom domain: delete every tenant's claim on it, verified or not (audited)",
      tags: ["sites"],
      admin: true,
      params: Hostname,
      responses: {
        200: {
          description: "The claims released",
          schema: z.object({
            hostname: z.string(),
            released: z.array(z.object({ slug: z.string(), site: z.string(), status: z.string() })),
          }),
        },
        400: { description: "Not a hostname", schema: ErrorSchema },
        401: errors[401],
        404: { description: "Nobody claims this hostname", schema: ErrorSchema },
      },
    },
    async (c, { params }) => {
      const hostname = normaliseHostname(params.hostname, []);
      const released = await releaseDomain(db, hostname);
      for (const claim of released) {
        sites.forgetDomain(claim.hostname);
        await audit(services, actorOf(c), "domain.release", claim.slug, {
          hostname,
          site: claim.site,
          status: claim.status,
          verified: claim.verifiedAt !== null,
        });
      }
      return c.json(
        { hostname, released: released.map((d) => ({ slug: d.slug, site: d.site, status: d.status })) },
        200,
      );
    },
  );
}

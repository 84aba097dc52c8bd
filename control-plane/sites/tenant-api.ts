import { Hono } from "hono";
import { z } from "zod";
import { TIERS } from "../../tenant-template/index.ts";
import { ApiError } from "../http/errors.ts";
import { parseJson } from "../http/json.ts";
import { type RateLimit, TokenBuckets } from "../http/rate-limit.ts";
import { unstorableText } from "../http/text.ts";
import { audit } from "../registry/audit.ts";
import { findTenant, type Tenant } from "../registry/tenants.ts";
import { collectBlobs, recordBlob, storedBytes, touchBlobs } from "./blobs.ts";
import {
  addDomain,
  checkDomain,
  domainView,
  listDomains,
  normaliseHostname,
  removeDomain,
} from "./domains.ts";
import { MAX_FILE_BYTES } from "./files.ts";
import { acknowledgeSubmissions, pendingSubmissions } from "./forms.ts";
import {
  listSites,
  listVersions,
  publishVersion,
  requireSiteOfProject,
  restoreVersion,
  type Site,
  siteOfProject,
  unpublishSite,
} from "./registry.ts";
import type { Sites } from "./service.ts";
import { sha256 } from "./store.ts";

type TenantEnv = { Variables: { tenant: Tenant } };

/** DNS checks per tenant: enough to watch records propagate, too few to use the platform as a DNS oracle. */
const DNS_CHECKS: RateLimit = { burst: 10, perSecond: 1 / 30 };

const Hash = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 in hex");
const ProjectId = z.string().regex(/^[0-9a-f-]{36}$/, "must be a project id");
const Publish = z.object({
  projectName: z.string().trim().min(1).max(80),
  checkpointId: z.string().min(1).max(64),
  files: z.record(z.string(), Hash),
});
const Hostname = z.object({ hostname: z.string().min(1).max(253) });

const mebibytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

function projectIdOf(value: string): string {
  if (!ProjectId.safeParse(value).success)
    throw new ApiError(400, "invalid_project", "That is not a project id.");
  return value;
}

async function parse<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const parsed = parseJson(await request.text());
  if (!parsed.ok)
    throw new ApiError(400, "invalid_json", `The request body cannot be read: ${parsed.reason}.`);
  const problem = unstorableText(parsed.value, "body");
  if (problem) throw new ApiError(400, "invalid_text", `Invalid ${problem}: remove it and send again.`);
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ApiError(
      400,
      "invalid_request",
      `Invalid ${issue.path.join(".") || "body"}: ${issue.message}.`,
    );
  }
  return result.data;
}

/**
 * `/tenant-api/v1/…`: what a tenant's runtime asks of the platform, authenticated by its own site token (never
 * the admin token), and scoped to that tenant: publishing, domains and its form submissions.
 */
export function tenantSiteRoutes(sites: Sites) {
  const { services } = sites;
  const { db } = services;
  const app = new Hono<TenantEnv>();
  app.use(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const slug = header.startsWith("Bearer ") ? sites.tenantOfToken(header.slice(7).trim()) : null;
    if (!slug)
      throw new ApiError(401, "unauthorized", "Send the tenant's site token as Authorization: Bearer.");
    const tenant = await findTenant(db, slug);
    if (!tenant || tenant.desired === "deleted" || tenant.status === "deleted")
      throw new ApiError(403, "tenant_gone", `Tenant ${slug} is deleted.`);
    c.set("tenant", tenant);
    await next();
  });

  const siteView = async (tenant: Tenant, site: Site | null) => {
    if (!site) return { site: null, url: null, liveVersion: null, versions: [] };
    const versions = await listVersions(db, tenant.slug, site.name);
    return {
      site: site.name,
      url: sites.url({ site: site.name, slug: tenant.slug }),
      liveVersion: site.liveVersion,
      versions: versions.map((v) => ({
        version: v.version,
        checkpointId: v.checkpointId,
        createdAt: v.createdAt.toISOString(),
        files: Object.keys(v.files).length,
      })),
    };
  };
  const changed = (tenant: Tenant) => sites.lookup.evict(tenant.slug);
  const owner = (tenant: Tenant, action: string, details: Record<string, unknown>) =>
    audit(services, "owner", action, tenant.slug, details);

  app.post("/blobs/missing", async (c) => {
    const { hashes } = await parse(c.req.raw, z.object({ hashes: z.array(Hash).max(1000) }));
    const missing: string[] = [];
    for (const hash of new Set(hashes))
      if (!(await sites.store.has(c.var.tenant.slug, hash))) missing.push(hash);
    // The ones it has are about to be published: not collected meanwhile.
    await touchBlobs(
      db,
      c.var.tenant.slug,
      hashes.filter((hash) => !missing.includes(hash)),
    );
    return c.json({ missing });
  });
  app.put("/blobs/:hash", async (c) => {
    const expected = Hash.safeParse(c.req.param("hash"));
    if (!expected.success) throw new ApiError(400, "invalid_hash", "The blob's name is its SHA-256 in hex.");
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > MAX_FILE_BYTES)
      throw new ApiError(413, "file_too_large", "A published file is at most 1 MiB.");
    if (sha256(bytes) !== expected.data)
      throw new ApiError(400, "hash_mismatch", "The body's SHA-256 is not the one in the address.");
    const tenant = c.var.tenant;
    const quota = TIERS[tenant.tier].publishedBytes;
    const fits = async () => (await storedBytes(db, tenant.slug)) + bytes.length <= quota;
    if (!(await sites.store.has(tenant.slug, expected.data)) && !(await fits())) {
      // Uploads no version kept may be what fills it.
      await collectBlobs(db, sites.store, tenant.slug);
      if (!(await fits()))
        throw new ApiError(
          413,
          "storage_quota_exceeded",
          `Your ${tenant.tier} plan stores ${mebibytes(quota)} of published files and this site's versions use ${mebibytes(await storedBytes(db, tenant.slug))}: publish smaller files, or move to a larger plan.`,
        );
    }
    await sites.store.put(tenant.slug, bytes);
    await recordBlob(db, tenant.slug, expected.data, bytes.length);
    return c.json({ hash: expected.data }, 201);
  });

  app.get("/projects/:projectId/site", async (c) => {
    const projectId = projectIdOf(c.req.param("projectId"));
    return c.json(await siteView(c.var.tenant, await siteOfProject(db, c.var.tenant.slug, projectId)));
  });
  app.post("/projects/:projectId/versions", async (c) => {
    const tenant = c.var.tenant;
    const body = await parse(c.req.raw, Publish);
    const projectId = projectIdOf(c.req.param("projectId"));
    const earlier = await siteOfProject(db, tenant.slug, projectId);
    const before = earlier ? await sites.cache.pagesBefore(tenant.slug, earlier.name) : [];
    const { site, version } = await publishVersion(
      db,
      sites.store,
      tenant.slug,
      { ...body, projectId },
      TIERS[tenant.tier].sites,
    );
    // Pages are stored as published (rewritten): they count against the quota too.
    for (const file of Object.values(version.files))
      if (file.source) await recordBlob(db, tenant.slug, file.hash, file.size);
    changed(tenant);
    sites.cache.purge(tenant.slug, site.name, before);
    await owner(tenant, "site.publish", {
      site: site.name,
      version: version.version,
      checkpointId: body.checkpointId,
    });
    return c.json({ version: version.version, ...(await siteView(tenant, site)) }, 201);
  });
  app.post("/projects/:projectId/versions/:version/restore", async (c) => {
    const tenant = c.var.tenant;
    const site = await requireSiteOfProject(db, tenant.slug, projectIdOf(c.req.param("projectId")));
    const version = z.coerce.number().int().positive().safeParse(c.req.param("version"));
    if (!version.success) throw new ApiError(400, "invalid_version", "A version is a positive whole number.");
    const before = await sites.cache.pagesBefore(tenant.slug, site.name);
    const live = await restoreVersion(db, site, version.data);
    changed(tenant);
    sites.cache.purge(tenant.slug, site.name, before);
    await owner(tenant, "site.restore", { site: site.name, version: version.data });
    return c.json(await siteView(tenant, live));
  });
  app.delete("/projects/:projectId/publication", async (c) => {
    const tenant = c.var.tenant;
    const site = await requireSiteOfProject(db, tenant.slug, projectIdOf(c.req.param("projectId")));
    const before = await sites.cache.pagesBefore(tenant.slug, site.name);
    const live = await unpublishSite(db, site);
    changed(tenant);
    sites.cache.purge(tenant.slug, site.name, before);
    await owner(tenant, "site.unpublish", { site: site.name });
    return c.json(await siteView(tenant, live));
  });

  const dnsChecks = new TokenBuckets();
  const reserved = () => [services.config.WEBSPLAT_BASE_DOMAIN, services.config.WEBSPLAT_SITES_DOMAIN];
  app.get("/projects/:projectId/domains", async (c) => {
    const site = await siteOfProject(db, c.var.tenant.slug, projectIdOf(c.req.param("projectId")));
    const domains = site ? await listDomains(db, c.var.tenant.slug, site.name) : [];
    return c.json({ domains: domains.map((d) => domainView(d, sites.target)) });
  });
  app.post("/projects/:projectId/domains", async (c) => {
    const tenant = c.var.tenant;
    const { hostname } = await parse(c.req.raw, Hostname);
    const name = normaliseHostname(hostname, reserved());
    const site = await requireSiteOfProject(db, tenant.slug, projectIdOf(c.req.param("projectId")));
    const domain = await addDomain(db, tenant, site.name, name);
    await owner(tenant, "domain.add", { site: site.name, hostname: name });
    return c.json(domainView(domain, sites.target), 201);
  });
  app.post("/projects/:projectId/domains/check", async (c) => {
    const tenant = c.var.tenant;
    const wait = dnsChecks.take(tenant.slug, DNS_CHECKS);
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      throw new ApiError(
        429,
        "rate_limited",
        `DNS was checked many times in a row; records take a while to spread, so check again in ${wait} s.`,
      );
    }
    const site = await requireSiteOfProject(db, tenant.slug, projectIdOf(c.req.param("projectId")));
    const checked = await checkAll(sites, tenant, await listDomains(db, tenant.slug, site.name));
    return c.json({ domains: checked.map((d) => domainView(d, sites.target)) });
  });
  app.delete("/projects/:projectId/domains", async (c) => {
    const tenant = c.var.tenant;
    const { hostname } = await parse(c.req.raw, Hostname);
    const removed = await removeDomain(db, tenant.slug, normaliseHostname(hostname, []));
    sites.forgetDomain(removed.hostname);
    await owner(tenant, "domain.remove", { site: removed.site, hostname: removed.hostname });
    return c.json({ removed: removed.hostname });
  });

  app.get("/submissions", async (c) => {
    const queued = await pendingSubmissions(db, c.var.tenant.slug);
    const projects = new Map((await listSites(db, c.var.tenant.slug)).map((s) => [s.name, s.projectId]));
    return c.json({
      submissions: queued.map((s) => ({
        id: s.id,
        site: s.site,
        projectId: projects.get(s.site) ?? null,
        form: s.form,
        page: s.page,
        fields: s.fields,
        receivedAt: s.receivedAt.toISOString(),
      })),
    });
  });
  app.post("/submissions/ack", async (c) => {
    const { ids } = await parse(c.req.raw, z.object({ ids: z.array(z.uuid()).max(1000) }));
    return c.json({ acknowledged: await acknowledgeSubmissions(db, c.var.tenant.slug, ids) });
  });
  return app;
}

/** Checks a tenant's domains; on the local driver the platform's own gateway routes them once verified. */
export async function checkAll(
  sites: Sites,
  tenant: Tenant,
  domains: Awaited<ReturnType<typeof listDomains>>,
) {
  const { services } = sites;
  const routed =
    services.driver.kind === "local" ||
    (tenant.status === "active" && tenant.observedGeneration === tenant.generation);
  const checked = [];
  for (const domain of domains) {
    const next = await checkDomain(services.db, domain, { lookup: sites.dns, target: sites.target, routed });
    sites.forgetDomain(domain.hostname);
    if (next.status !== domain.status)
      await audit(services, "platform", "domain.status", tenant.slug, {
        hostname: domain.hostname,
        from: domain.status,
        to: next.status,
        reason: next.reason,
      });
    checked.push(next);
  }
  return checked;
}

import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { type SiteFile, sites, siteVersions } from "../db/schema.ts";
import { ApiError } from "../http/errors.ts";
import { contentType, isHtml, MAX_FILES, sitePathProblem } from "./files.ts";
import { siteNameFrom, siteNameProblem } from "./hosts.ts";
import { assetPath, publishedForms, publishHtml } from "./html.ts";
import type { SiteStore } from "./store.ts";

export type Site = typeof sites.$inferSelect;
export type SiteVersion = typeof siteVersions.$inferSelect;

/** What the public host needs to answer: the live version's files, by path and by asset URL. */
export interface LiveSite {
  slug: string;
  site: string;
  version: number;
  files: Record<string, SiteFile>;
  /** `/_assets/<hash>.<ext>` → the path it stands for. */
  assets: Map<string, string>;
}

export async function siteOfProject(db: Database, slug: string, projectId: string): Promise<Site | null> {
  const [row] = await db
    .select()
    .from(sites)
    .where(and(eq(sites.slug, slug), eq(sites.projectId, projectId)));
  return row ?? null;
}

export async function requireSiteOfProject(db: Database, slug: string, projectId: string): Promise<Site> {
  const site = await siteOfProject(db, slug, projectId);
  if (!site) throw new ApiError(404, "not_published", "This project was never published: publish it first.");
  return site;
}

export async function listSites(db: Database, slug: string): Promise<Site[]> {
  return await db.select().from(sites).where(eq(sites.slug, slug)).orderBy(sites.name);
}

/** The project's site, created on its first publish with a free name derived from the project's name. */
async function ensureSite(
  tx: Database,
  slug: string,
  projectId: string,
  projectName: string,
  sitesLimit: number,
): Promise<Site> {
  const existing = await siteOfProject(tx, slug, projectId);
  if (existing) return existing;
  const taken = await listSites(tx, slug);
  if (taken.length >= sitesLimit) {
    throw new ApiError(
      403,
      "sites_limit",
      `Your plan publishes up to ${sitesLimit} site${sitesLimit === 1 ? "" : "s"}; unpublish one or move to a larger plan.`,
    );
  }
  const names = new Set(taken.map((site) => site.name));
  const base = siteNameFrom(projectName, slug);
  let name = base;
  for (let n = 2; names.has(name); n++) name = `${base.slice(0, Math.max(3, base.length - 3))}-${n}`;
  const problem = siteNameProblem(name, slug);
  if (problem) throw new ApiError(400, "invalid_site_name", problem);
  const [row] = await tx.insert(sites).values({ slug, name, projectId }).returning();
  return row!;
}

export interface PublishRequest {
  projectId: string;
  projectName: string;
  checkpointId: string;
  /** Path → SHA-256 of a blob already uploaded. */
  files: Record<string, string>;
}

/**
 * Publishes an immutable version of the project's site and makes it live: every blob must already be in the
 * tenant's store; pages are rewritten to content-hashed asset URLs and platform forms.
 */
export async function publishVersion(
  db: Database,
  store: SiteStore,
  slug: string,
  request: PublishRequest,
  sitesLimit: number,
): Promise<{ site: Site; version: SiteVersion }> {
  const paths = Object.keys(request.files).sort();
  if (paths.length === 0)
    throw new ApiError(400, "empty_site", "There is nothing to publish: build the site first.");
  if (paths.length > MAX_FILES)
    throw new ApiError(400, "too_many_files", `A site has at most ${MAX_FILES} files.`);
  for (const path of paths) {
    const problem = sitePathProblem(path);
    if (problem) throw new ApiError(400, "invalid_path", `"${path}" cannot be published: ${problem}.`);
  }
  const missing: string[] = [];
  for (const path of paths) if (!(await store.has(slug, request.files[path]!))) missing.push(path);
  if (missing.length > 0)
    throw new ApiError(409, "missing_files", `Upload these files first: ${missing.slice(0, 10).join(", ")}.`);

  const assets = new Map(paths.filter((p) => !isHtml(p)).map((p) => [p, request.files[p]!]));
  const files: Record<string, SiteFile> = {};
  for (const path of paths) {
    const hash = request.files[path]!;
    if (isHtml(path)) {
      const page = publishHtml((await store.get(slug, hash)).toString("utf8"), path, assets);
      const bytes = Buffer.from(page);
      files[path] = {
        hash: await store.put(slug, bytes),
        size: bytes.length,
        type: contentType(path),
        source: hash,
        forms: publishedForms(page),
      };
    } else {
      files[path] = { hash, size: (await store.get(slug, hash)).length, type: contentType(path) };
    }
  }
  return await db.transaction(async (tx) => {
    // One publish per tenant at a time: version numbers are dense and the live pointer moves in order.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`sites:${slug}`}))`);
    const site = await ensureSite(
      tx as unknown as Database,
      slug,
      request.projectId,
      request.projectName,
      sitesLimit,
    );
    const [last] = await tx
      .select({ version: siteVersions.version })
      .from(siteVersions)
      .where(and(eq(siteVersions.slug, slug), eq(siteVersions.site, site.name)))
      .orderBy(desc(siteVersions.version))
      .limit(1);
    const [version] = await tx
      .insert(siteVersions)
      .values({
        slug,
        site: site.name,
        version: (last?.version ?? 0) + 1,
        checkpointId: request.checkpointId,
        files,
      })
      .returning();
    const [live] = await tx
      .update(sites)
      .set({ liveVersion: version!.version, updatedAt: new Date() })
      .where(and(eq(sites.slug, slug), eq(sites.name, site.name)))
      .returning();
    return { site: live!, version: version! };
  });
}

export async function listVersions(db: Database, slug: string, site: string): Promise<SiteVersion[]> {
  return await db
    .select()
    .from(siteVersions)
    .where(and(eq(siteVersions.slug, slug), eq(siteVersions.site, site)))
    .orderBy(desc(siteVersions.version));
}

/** Makes an earlier version live again (a rollback of what the public sees; nothing is rewritten). */
export async function restoreVersion(db: Database, site: Site, version: number): Promise<Site> {
  const [row] = await db
    .select({ version: siteVersions.version })
    .from(siteVersions)
    .where(
      and(
        eq(siteVersions.slug, site.slug),
        eq(siteVersions.site, site.name),
        eq(siteVersions.version, version),
      ),
    );
  if (!row) throw new ApiError(404, "version_not_found", `Version ${version} of this site does not exist.`);
  const [live] = await db
    .update(sites)
    .set({ liveVersion: version, updatedAt: new Date() })
    .where(and(eq(sites.slug, site.slug), eq(sites.name, site.name)))
    .returning();
  return live!;
}

export async function unpublishSite(db: Database, site: Site): Promise<Site> {
  const [row] = await db
    .update(sites)
    .set({ liveVersion: null, updatedAt: new Date() })
    .where(and(eq(sites.slug, site.slug), eq(sites.name, site.name)))
    .returning();
  return row!;
}

/** The live version of a site, or null when it is unpublished or unknown. */
export async function liveSite(db: Database, slug: string, name: string): Promise<LiveSite | null> {
  const [row] = await db
    .select({ files: siteVersions.files, version: siteVersions.version })
    .from(sites)
    .innerJoin(
      siteVersions,
      and(
        eq(siteVersions.slug, sites.slug),
        eq(siteVersions.site, sites.name),
        eq(siteVersions.version, sites.liveVersion),
      ),
    )
    .where(and(eq(sites.slug, slug), eq(sites.name, name)));
  if (!row) return null;
  const assets = new Map(
    Object.entries(row.files)
      .filter(([path]) => !isHtml(path))
      .map(([path, file]) => [assetPath(file.hash, path), path]),
  );
  return { slug, site: name, version: row.version, files: row.files, assets };
}

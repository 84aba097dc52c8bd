import { eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { siteDomains, siteSubmissionQueue, sites, siteVersions } from "../db/schema.ts";
import type { SiteStore } from "./store.ts";

export interface SitesErased {
  sitesDeleted: number;
  siteVersionsDeleted: number;
  siteFilesDeleted: number;
  /** Released: anyone may claim these hostnames again. */
  domainsReleased: string[];
  submissionsDeleted: number;
}

/**
 * Everything publishing holds of a tenant, gone (erasure): its sites and every published version, their files
 * in the store, form submissions still waiting for its runtime, and its custom domains, released.
 */
export async function eraseTenantSites(db: Database, store: SiteStore, slug: string): Promise<SitesErased> {
  const erased = await db.transaction(async (tx) => {
    const domains = await tx
      .delete(siteDomains)
      .where(eq(siteDomains.slug, slug))
      .returning({ hostname: siteDomains.hostname });
    const submissions = await tx
      .delete(siteSubmissionQueue)
      .where(eq(siteSubmissionQueue.slug, slug))
      .returning({ id: siteSubmissionQueue.id });
    const versions = await tx
      .delete(siteVersions)
      .where(eq(siteVersions.slug, slug))
      .returning({ version: siteVersions.version });
    const removed = await tx.delete(sites).where(eq(sites.slug, slug)).returning({ name: sites.name });
    return {
      sitesDeleted: removed.length,
      siteVersionsDeleted: versions.length,
      domainsReleased: domains.map((domain) => domain.hostname).sort(),
      submissionsDeleted: submissions.length,
    };
  });
  // After the rows: a file is never served without its version, so none is reachable once they are gone.
  return { ...erased, siteFilesDeleted: await store.deleteAll(slug) };
}

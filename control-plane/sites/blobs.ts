import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../db/client.ts";
import { siteBlobs, siteVersions } from "../db/schema.ts";
import type { SiteStore } from "./store.ts";

/** An upload no version refers to is kept this long: the publish it was sent for may still be on its way. */
export const UNREFERENCED_GRACE_MS = 24 * 3_600_000;

/** Records a blob the tenant stored (or checked it has): its size counts against the quota. */
export async function recordBlob(db: Database, slug: string, hash: string, bytes: number): Promise<void> {
  await db
    .insert(siteBlobs)
    .values({ slug, hash, bytes })
    .onConflictDoUpdate({ target: [siteBlobs.slug, siteBlobs.hash], set: { touchedAt: new Date() } });
}

/** Marks blobs a publish is about to use, so the collector leaves them for another grace period. */
export async function touchBlobs(db: Database, slug: string, hashes: string[]): Promise<void> {
  if (hashes.length === 0) return;
  await db
    .update(siteBlobs)
    .set({ touchedAt: new Date() })
    .where(and(eq(siteBlobs.slug, slug), inArray(siteBlobs.hash, hashes)));
}

/** Bytes of published files the platform holds for the tenant. */
export async function storedBytes(db: Database, slug: string): Promise<number> {
  const [row] = await db
    .select({ bytes: sql<string>`coalesce(sum(${siteBlobs.bytes}), 0)` })
    .from(siteBlobs)
    .where(eq(siteBlobs.slug, slug));
  return Number(row?.bytes ?? 0);
}

/** Every blob a version of the tenant's sites refers to: its files, and the pages as the runtime sent them. */
async function referencedBlobs(db: Database, slug: string): Promise<Set<string>> {
  const versions = await db
    .select({ files: siteVersions.files })
    .from(siteVersions)
    .where(eq(siteVersions.slug, slug));
  const hashes = new Set<string>();
  for (const { files } of versions)
    for (const file of Object.values(files)) {
      hashes.add(file.hash);
      if (file.source) hashes.add(file.source);
    }
  return hashes;
}

/**
 * Removes the tenant's blobs that no version refers to and that were last uploaded or checked before the grace
 * period, from the store and from the quota; also blobs in the store that were never recorded. Answers how
 * many went.
 */
export async function collectBlobs(
  db: Database,
  store: SiteStore,
  slug: string,
  now = new Date(),
): Promise<number> {
  const referenced = await referencedBlobs(db, slug);
  const before = new Date(now.getTime() - UNREFERENCED_GRACE_MS);
  const stale = await db
    .select({ hash: siteBlobs.hash })
    .from(siteBlobs)
    .where(and(eq(siteBlobs.slug, slug), lt(siteBlobs.touchedAt, before)));
  const recorded = new Set(
    (await db.select({ hash: siteBlobs.hash }).from(siteBlobs).where(eq(siteBlobs.slug, slug))).map(
      (row) => row.hash,
    ),
  );
  const unrecorded = (await store.list(slug)).filter((hash) => !recorded.has(hash));
  let removed = 0;
  for (const hash of [...stale.map((row) => row.hash), ...unrecorded]) {
    if (referenced.has(hash)) continue;
    await store.delete(slug, hash);
    await db.delete(siteBlobs).where(and(eq(siteBlobs.slug, slug), eq(siteBlobs.hash, hash)));
    removed++;
  }
  return removed;
}

/** Every tenant with published files, collected once an hour; a failed round is logged and tried next hour. */
export function blobCollection(db: Database, store: SiteStore, logger: Logger): () => Promise<void> {
  const round = async () => {
    const tenants = await db.selectDistinct({ slug: siteBlobs.slug }).from(siteBlobs);
    for (const { slug } of tenants) {
      const removed = await collectBlobs(db, store, slug);
      if (removed > 0) logger.info({ tenant: slug, removed }, "unreferenced published files removed");
    }
  };
  const timer = setInterval(
    () => void round().catch((error) => logger.error({ err: error }, "published file collection failed")),
    3_600_000,
  );
  timer.unref();
  return async () => clearInterval(timer);
}

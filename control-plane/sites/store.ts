import { createHash } from "node:crypto";
import { join } from "node:path";
import { type BackupStore, directoryStore, s3Store } from "../backups/index.ts";
import { readObject } from "../backups/store.ts";
import type { Config } from "../config.ts";

/**
 * Published files by content hash, one namespace per tenant (`<slug>/<sha256>`): a tenant can neither read
 * nor probe another's files. A directory of the data dir locally, an S3 bucket in production.
 */
export interface SiteStore {
  has(slug: string, hash: string): Promise<boolean>;
  put(slug: string, bytes: Uint8Array): Promise<string>;
  get(slug: string, hash: string): Promise<Buffer>;
  /** Deletes every file of the tenant (erasure); answers how many went. */
  deleteAll(slug: string): Promise<number>;
  /** The hashes of every blob the tenant has. */
  list(slug: string): Promise<string[]>;
  delete(slug: string, hash: string): Promise<void>;
  location(): string;
}

export const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

export function siteStore(config: Config, dataDir: string): SiteStore {
  const bucket = config.WEBSPLAT_SITES_BUCKET ?? config.WEBSPLAT_BACKUP_BUCKET;
  const objects: BackupStore = bucket
    ? s3Store({
        bucket,
        // Next to the backups when they share a bucket.
        prefix: config.WEBSPLAT_SITES_BUCKET ? "" : "sites",
        endpoint: config.WEBSPLAT_S3_ENDPOINT,
        region: config.AWS_REGION,
      })
    : directoryStore(join(dataDir, "sites"));
  // Blobs never change: a small cache spares the disk (or S3) for the pages everyone asks for.
  const cache = new Map<string, Buffer>();
  let cached = 0;
  const CACHE_BYTES = 64 * 1024 * 1024;
  return {
    location: () => objects.location(""),
    has: (slug, hash) => objects.exists(`${slug}/${hash}`),
    async put(slug, bytes) {
      const hash = sha256(bytes);
      if (!(await objects.exists(`${slug}/${hash}`))) await objects.put(`${slug}/${hash}`, bytes);
      return hash;
    },
    async list(slug) {
      return (await objects.list(`${slug}/`))
        .map((key) => key.slice(slug.length + 1))
        .filter((hash) => /^[0-9a-f]{64}$/.test(hash));
    },
    async delete(slug, hash) {
      const key = `${slug}/${hash}`;
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cached -= hit.length;
      }
      await objects.delete(key);
    },
    async get(slug, hash) {
      const key = `${slug}/${hash}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const bytes = await readObject(objects, key);
      if (cached + bytes.length > CACHE_BYTES) {
        cache.clear();
        cached = 0;
      }
      cache.set(key, bytes);
      cached += bytes.length;
      return bytes;
    },
    async deleteAll(slug) {
      const keys = await objects.list(`${slug}/`);
      for (const key of keys) {
        await objects.delete(key);
        cache.delete(key);
      }
      return keys.length;
    },
  };
}

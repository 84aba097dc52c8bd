import { Readable } from "node:stream";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { BackupError } from "./errors.ts";
import type { BackupStore } from "./store.ts";

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, e.g. `backups/`. @default "" */
  prefix?: string;
  /** An S3-compatible server (MinIO, R2, a test double): path-style addressing. */
  endpoint?: string;
  region?: string;
  /** Static credentials; the SDK's default chain (environment, profile, role) otherwise. */
  credentials?: S3ClientConfig["credentials"];
}

/**
 * Backups in an S3 bucket (or any S3-compatible server) through the AWS SDK, loaded on the first use (about 30 MiB
 * of the control plane's memory, for a schedule that may run once a day).
 */
export function s3Store(options: S3StoreOptions): BackupStore {
  let loaded: Promise<{ sdk: typeof import("@aws-sdk/client-s3"); client: S3Client }> | undefined;
  const s3 = () =>
    (loaded ??= import("@aws-sdk/client-s3").then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: options.region ?? "us-east-1",
        ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        // S3-compatible servers do not all know the SDK's default CRC32 trailers.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      }),
    })));
  const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, "")}/` : "";
  const Bucket = options.bucket;
  const location = (key: string) => `s3://${Bucket}/${prefix}${key}`;
  return {
    location,
    async put(key, body) {
      // The SDK needs a length up front; a table is buffered here (our tenants' schemas are small).
      const bytes = body instanceof Uint8Array ? body : Buffer.concat(await chunks(body));
      const { sdk, client } = await s3();
      await client.send(new sdk.PutObjectCommand({ Bucket, Key: prefix + key, Body: bytes }));
    },
    async get(key) {
      const { sdk, client } = await s3();
      try {
        const answer = await client.send(new sdk.GetObjectCommand({ Bucket, Key: prefix + key }));
        return answer.Body as Readable;
      } catch (error) {
        if (error instanceof sdk.NoSuchKey || (error as { name?: string }).name === "NoSuchKey")
          throw new BackupError("backup_not_found", `${location(key)} does not exist.`);
        throw error;
      }
    },
    async exists(key) {
      const { sdk, client } = await s3();
      try {
        await client.send(new sdk.HeadObjectCommand({ Bucket, Key: prefix + key }));
        return true;
      } catch (error) {
        if (error instanceof sdk.NotFound || (error as { name?: string }).name === "NotFound") return false;
        throw error;
      }
    },
    async list(under) {
      const { sdk, client } = await s3();
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({ Bucket, Prefix: prefix + under, ContinuationToken }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(prefix.length));
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys.sort();
    },
    async delete(key) {
      await removeVersions(prefix + key, (found) => found === prefix + key);
    },
    async purge(under) {
      return await removeVersions(prefix + under, () => true);
    },
  };

  /**
   * The bucket is versioned (production): a plain DeleteObject only adds a delete marker and keeps every byte.
   * So each version and delete marker of the matching keys is listed and deleted by its VersionId. A server
   * without versioning answers the listing with one `null` version per key, which deletes the same way.
   * Returns how many distinct keys were removed.
   */
  async function removeVersions(listPrefix: string, matches: (key: string) => boolean): Promise<number> {
    const { sdk, client } = await s3();
    // Listed whole before anything is deleted: a listing's markers may name versions a deletion just removed.
    const objects: Array<{ Key: string; VersionId: string | undefined }> = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectVersionsCommand({ Bucket, Prefix: listPrefix, KeyMarker, VersionIdMarker }),
      );
      for (const version of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])])
        if (version.Key && matches(version.Key))
          objects.push({ Key: version.Key, VersionId: version.VersionId });
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (KeyMarker);
    // At most 1000 per request.
    for (let start = 0; start < objects.length; start += 1000) {
      const answer = await client.send(
        new sdk.DeleteObjectsCommand({
          Bucket,
          Delete: { Objects: objects.slice(start, start + 1000), Quiet: true },
        }),
      );
      const failed = answer.Errors?.[0];
      if (failed) {
        throw new Error(
          `could not delete ${location(failed.Key?.slice(prefix.length) ?? "")} (version ${failed.VersionId}): ${failed.Code} ${failed.Message}`,
        );
      }
    }
    return new Set(objects.map((object) => object.Key)).size;
  }
}

async function chunks(stream: Readable): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for await (const chunk of Readable.from(stream)) parts.push(Buffer.from(chunk));
  return parts;
}

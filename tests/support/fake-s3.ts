import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One stored version of a key: its bytes, or a delete marker (what a plain delete adds in a versioned bucket). */
export interface ObjectVersion {
  key: string;
  versionId: string;
  /** Null for a delete marker. */
  body: Buffer | null;
}

export interface FakeS3 {
  /** Path-style endpoint, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  /** bucket → key → bytes of the current version (keys whose latest version is a delete marker are absent). */
  readonly buckets: Map<string, Map<string, Buffer>>;
  /** Every version and delete marker a bucket holds, oldest first per key. */
  versions(bucket: string): ObjectVersion[];
  close(): Promise<void>;
}

/**
 * A minimal S3-compatible server on loopback, path-style (`/<bucket>/<key>`), whose buckets are versioned like
 * the production bucket: PutObject adds a version, DeleteObject adds a delete marker (or, with `versionId`,
 * removes that version), DeleteObjects removes the versions it names; GetObject, HeadObject, ListObjectsV2 and
 * ListObjectVersions (both paginated) see what S3 would. Signatures are not checked; buckets exist on first use.
 */
export async function startFakeS3(options: { pageSize?: number } = {}): Promise<FakeS3> {
  const store = new Map<string, Map<string, ObjectVersion[]>>();
  const pageSize = options.pageSize ?? 1000;
  const bucketOf = (name: string) => {
    let bucket = store.get(name);
    if (!bucket) {
      bucket = new Map();
      store.set(name, bucket);
    }
    return bucket;
  };
  const current = (bucket: Map<string, ObjectVersion[]>, key: string) =>
    bucket.get(key)?.at(-1)?.body ?? null;
  const removeVersion = (bucket: Map<string, ObjectVersion[]>, key: string, versionId: string) => {
    const left = (bucket.get(key) ?? []).filter((version) => version.versionId !== versionId);
    if (left.length > 0) bucket.set(key, left);
    else bucket.delete(key);
  };
  const newVersionId = () => randomBytes(12).toString("base64url");

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://s3.local");
      const [, bucketName = "", ...rest] = url.pathname.split("/");
      const key = rest.map(decodeURIComponent).join("/");
      const name = decodeURIComponent(bucketName);
      const bucket = bucketOf(name);
      const versionId = url.searchParams.get("versionId");
      if (req.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
        return listObjects(res, name, bucket, url.searchParams, pageSize);
      }
      if (req.method === "GET" && key === "" && url.searchParams.has("versions")) {
        return listVersions(res, name, bucket, url.searchParams, pageSize);
      }
      if (req.method === "POST" && key === "" && url.searchParams.has("delete")) {
        const deleted: string[] = [];
        for (const object of (await read(req)).toString("utf8").matchAll(/<Object>([\s\S]*?)<\/Object>/g)) {
          const objectKey = xmlDecode(/<Key>([\s\S]*?)<\/Key>/.exec(object[1] ?? "")?.[1] ?? "");
          const objectVersion = /<VersionId>([\s\S]*?)<\/VersionId>/.exec(object[1] ?? "")?.[1];
          if (objectVersion) removeVersion(bucket, objectKey, xmlDecode(objectVersion));
          else
            bucket.set(objectKey, [
              ...(bucket.get(objectKey) ?? []),
              { key: objectKey, versionId: newVersionId(), body: null },
            ]);
          deleted.push(
            `<Deleted><Key>${xmlText(objectKey)}</Key>${objectVersion ? `<VersionId>${objectVersion}</VersionId>` : ""}</Deleted>`,
          );
        }
        return xml(
          res,
          200,
          `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${deleted.join("")}</DeleteResult>`,
        );
      }
      if (req.method === "PUT") {
        const body = await read(req);
        const id = newVersionId();
        bucket.set(key, [...(bucket.get(key) ?? []), { key, versionId: id, body }]);
        res.writeHead(200, { etag: `"${body.length}"`, "x-amz-version-id": id }).end();
        return;
      }
      if (req.method === "DELETE") {
        if (versionId) {
          removeVersion(bucket, key, versionId);
          res.writeHead(204, { "x-amz-version-id": versionId }).end();
          return;
        }
        const marker = newVersionId();
        bucket.set(key, [...(bucket.get(key) ?? []), { key, versionId: marker, body: null }]);
        res.writeHead(204, { "x-amz-delete-marker": "true", "x-amz-version-id": marker }).end();
        return;
      }
      if (req.method === "GET" || req.method === "HEAD") {
        const object = current(bucket, key);
        if (!object) {
          if (req.method === "HEAD") return void res.writeHead(404).end();
          return xml(
            res,
            404,
            `<Error><Code>NoSuchKey</Code><Message>No such key ${xmlText(key)}</Message></Error>`,
          );
        }
        res.writeHead(200, { "content-length": object.length, "content-type": "application/octet-stream" });
        res.end(req.method === "HEAD" ? undefined : object);
        return;
      }
      xml(res, 405, "<Error><Code>MethodNotAllowed</Code><Message>Not supported here</Message></Error>");
    } catch (error) {
      xml(res, 500, `<Error><Code>InternalError</Code><Message>${xmlText(String(error))}</Message></Error>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get buckets() {
      return new Map(
        [...store].map(([name, bucket]) => [
          name,
          new Map(
            [...bucket.keys()].flatMap((key) => {
              const body = current(bucket, key);
              return body ? [[key, body] as const] : [];
            }),
          ),
        ]),
      );
    },
    versions: (name) => [...(store.get(name)?.values() ?? [])].flat(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function listObjects(
  res: ServerResponse,
  name: string,
  bucket: Map<string, ObjectVersion[]>,
  params: URLSearchParams,
  pageSize: number,
) {
  const prefix = params.get("prefix") ?? "";
  const keys = [...bucket.keys()]
    .filter((key) => key.startsWith(prefix) && bucket.get(key)?.at(-1)?.body)
    .sort();
  const start = Number(params.get("continuation-token") ?? 0);
  const max = Math.min(pageSize, Number(params.get("max-keys") ?? 1000));
  const page = keys.slice(start, start + max);
  const truncated = start + max < keys.length;
  const contents = page
    .map(
      (key) =>
        `<Contents><Key>${xmlText(key)}</Key><Size>${bucket.get(key)?.at(-1)?.body?.length ?? 0}</Size></Contents>`,
    )
    .join("");
  xml(
    res,
    200,
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlText(name)}</Name>` +
      `<Prefix>${xmlText(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys>` +
      `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${start + max}</NextContinuationToken>` : ""}` +
      `${contents}</ListBucketResult>`,
  );
}

/** ListObjectVersions: by key, newest first within a key; pages resume after (key-marker, version-id-marker). */
function listVersions(
  res: ServerResponse,
  name: string,
  bucket: Map<string, ObjectVersion[]>,
  params: URLSearchParams,
  pageSize: number,
) {
  const prefix = params.get("prefix") ?? "";
  const all = [...bucket.keys()]
    .filter((key) => key.startsWith(prefix))
    .sort()
    .flatMap((key) =>
      [...(bucket.get(key) ?? [])].reverse().map((version, index) => ({ ...version, latest: index === 0 })),
    );
  const keyMarker = params.get("key-marker");
  const versionMarker = params.get("version-id-marker");
  let start = 0;
  if (keyMarker) {
    const at = all.findIndex((version) => version.key === keyMarker && version.versionId === versionMarker);
    start = at >= 0 ? at + 1 : all.findIndex((version) => version.key > keyMarker);
    if (start < 0) start = all.length;
  }
  const max = Math.min(pageSize, Number(params.get("max-keys") ?? 1000));
  const page = all.slice(start, start + max);
  const truncated = start + max < all.length;
  const last = page.at(-1);
  const entries = page
    .map((version) =>
      version.body
        ? `<Version><Key>${xmlText(version.key)}</Key><VersionId>${version.versionId}</VersionId><IsLatest>${version.latest}</IsLatest><Size>${version.body.length}</Size></Version>`
        : `<DeleteMarker><Key>${xmlText(version.key)}</Key><VersionId>${version.versionId}</VersionId><IsLatest>${version.latest}</IsLatest></DeleteMarker>`,
    )
    .join("");
  xml(
    res,
    200,
    `<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlText(name)}</Name>` +
      `<Prefix>${xmlText(prefix)}</Prefix><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (truncated && last
        ? `<NextKeyMarker>${xmlText(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>`
        : "") +
      `${entries}</ListVersionsResult>`,
  );
}

function xml(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function xmlText(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function xmlDecode(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

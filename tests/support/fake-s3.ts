import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeS3 {
  /** Path-style endpoint, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  /** bucket → key → bytes. */
  buckets: Map<string, Map<string, Buffer>>;
  close(): Promise<void>;
}

/**
 * A minimal S3-compatible server on loopback, path-style (`/<bucket>/<key>`): PutObject, GetObject, HeadObject,
 * DeleteObject and ListObjectsV2 (with pagination). Signatures are not checked; buckets exist on first use.
 */
export async function startFakeS3(options: { pageSize?: number } = {}): Promise<FakeS3> {
  const buckets = new Map<string, Map<string, Buffer>>();
  const pageSize = options.pageSize ?? 1000;
  const bucketOf = (name: string) => {
    let bucket = buckets.get(name);
    if (!bucket) {
      bucket = new Map();
      buckets.set(name, bucket);
    }
    return bucket;
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://s3.local");
      const [, bucketName = "", ...rest] = url.pathname.split("/");
      const key = rest.map(decodeURIComponent).join("/");
      const bucket = bucketOf(decodeURIComponent(bucketName));
      if (req.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
        return list(res, decodeURIComponent(bucketName), bucket, url.searchParams, pageSize);
      }
      if (req.method === "PUT") {
        const body = await read(req);
        bucket.set(key, body);
        res.writeHead(200, { etag: `"${body.length}"` }).end();
        return;
      }
      const object = bucket.get(key);
      if (req.method === "DELETE") {
        bucket.delete(key);
        res.writeHead(204).end();
        return;
      }
      if (req.method === "GET" || req.method === "HEAD") {
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
    buckets,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function list(
  res: ServerResponse,
  name: string,
  bucket: Map<string, Buffer>,
  params: URLSearchParams,
  pageSize: number,
) {
  const prefix = params.get("prefix") ?? "";
  const keys = [...bucket.keys()].filter((key) => key.startsWith(prefix)).sort();
  const start = Number(params.get("continuation-token") ?? 0);
  const max = Math.min(pageSize, Number(params.get("max-keys") ?? 1000));
  const page = keys.slice(start, start + max);
  const truncated = start + max < keys.length;
  const contents = page
    .map((key) => `<Contents><Key>${xmlText(key)}</Key><Size>${bucket.get(key)!.length}</Size></Contents>`)
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

import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import client from "prom-client";

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

export type Encoding = "br" | "gzip";

/** Compressed copies of what public sites serve, by a key naming exactly those bytes. */
export interface SiteCompression {
  /** `body` in `encoding`, computed once per key and encoding; never on the event loop. */
  encoded(key: string, body: Buffer, encoding: Encoding): Promise<Buffer>;
}

/** Compressed copies kept in memory; past it the least recently used go first. */
const BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * Compresses each published file once per encoding, in zlib's thread pool (a large page compressed on the
 * event loop at every request stalled every other request of the platform), and keeps the result: keys are
 * content hashes, so a copy stays right for every version that has the file. Concurrent first requests share
 * one compression.
 */
export function siteCompression(registry: client.Registry): SiteCompression {
  const name = "websplat_site_compressions_total";
  const compressions =
    (registry.getSingleMetric(name) as client.Counter<"encoding"> | undefined) ??
    new client.Counter({
      name,
      help: "Published files compressed for public sites (once per file and encoding), by encoding",
      labelNames: ["encoding"],
      registers: [registry],
    });
  const copies = new Map<string, { bytes: Promise<Buffer>; size: number }>();
  let held = 0;
  const evict = () => {
    for (const [key, copy] of copies) {
      if (held <= BUDGET_BYTES) return;
      copies.delete(key);
      held -= copy.size;
    }
  };
  return {
    encoded(key, body, encoding) {
      const cacheKey = `${key}.${encoding}`;
      const hit = copies.get(cacheKey);
      if (hit) {
        // Most recently used last.
        copies.delete(cacheKey);
        copies.set(cacheKey, hit);
        return hit.bytes;
      }
      compressions.inc({ encoding });
      const bytes =
        encoding === "br"
          ? brotli(body, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: 9,
                [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
              },
            })
          : gzipped(body, { level: 9 });
      const copy = { bytes, size: 0 };
      copies.set(cacheKey, copy);
      bytes.then(
        (out) => {
          if (copies.get(cacheKey) !== copy) return;
          copy.size = out.length;
          held += out.length;
          evict();
        },
        () => copies.delete(cacheKey),
      );
      return bytes;
    },
  };
}

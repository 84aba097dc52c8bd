import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Context } from "hono";
import type { Database } from "../db/client.ts";
import { findTenant, type Tenant } from "../registry/tenants.ts";
import { isCompressible, isHtml } from "./files.ts";
import { NOT_FOUND_PAGE, UNAVAILABLE_PAGE } from "./pages.ts";
import type { LiveSite } from "./registry.ts";
import { liveSite } from "./registry.ts";
import type { SiteStore } from "./store.ts";

/** Pages revalidate on every visit (a publish shows at once); hashed assets are cached for a year. */
const PAGE_CACHE = "public, max-age=0, must-revalidate";
const ASSET_CACHE = "public, max-age=31536000, immutable";
/** What a published page may do: its own styles and images, forms to its own host, nothing else. */
const SITE_CSP =
  "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; script-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/** Tenants and live versions are read at most once a second per site (and evicted here at once on change). */
const CACHE_MS = 1000;

export interface SiteLookup {
  tenant(slug: string): Promise<Tenant | null>;
  live(slug: string, site: string): Promise<LiveSite | null>;
  evict(slug: string): void;
}

export function siteLookup(db: Database): SiteLookup {
  const tenants = new Map<string, { at: number; value: Tenant | null }>();
  const lives = new Map<string, { at: number; value: LiveSite | null }>();
  const cached = async <T>(
    map: Map<string, { at: number; value: T }>,
    key: string,
    load: () => Promise<T>,
  ) => {
    const hit = map.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = await load();
    if (map.size > 10_000) map.clear();
    map.set(key, { at: Date.now(), value });
    return value;
  };
  return {
    tenant: (slug) => cached(tenants, slug, () => findTenant(db, slug)),
    live: (slug, site) => cached(lives, `${slug}/${site}`, () => liveSite(db, slug, site)),
    evict(slug) {
      tenants.delete(slug);
      for (const key of lives.keys()) if (key.startsWith(`${slug}/`)) lives.delete(key);
    },
  };
}

/** Whether a tenant's public sites answer: deleted or never paid → 404, suspended → unavailable. */
export function tenantServes(tenant: Tenant | null): "serve" | "missing" | "suspended" {
  if (
    !tenant ||
    tenant.desired === "deleted" ||
    ["deleted", "deleting", "awaiting_payment"].includes(tenant.status)
  )
    return "missing";
  // Desired, not observed: a suspension takes sites offline and a resume brings them back at once, without
  // waiting for the runtime's reconcile (public sites never need the runtime).
  if (tenant.desired === "suspended") return "suspended";
  return "serve";
}

/** Answers a GET or HEAD for `live` on the public host: the file, generated robots.txt/sitemap.xml, or a 404. */
export async function serveFile(
  c: Context,
  live: LiveSite,
  store: SiteStore,
  origin: string,
): Promise<Response> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(c.req.url).pathname);
  } catch {
    return notFound(c, live, store);
  }
  const asset = live.assets.get(pathname);
  if (asset) return await send(c, live, store, asset, ASSET_CACHE);
  const path = resolvePath(live, pathname);
  if (path) return await send(c, live, store, path, PAGE_CACHE);
  if (pathname === "/robots.txt")
    return text(c, `User-agent: *\nAllow: /\nSitemap: ${origin}/sitemap.xml\n`, "text/plain; charset=utf-8");
  if (pathname === "/sitemap.xml") return text(c, sitemap(live, origin), "application/xml");
  return await notFound(c, live, store);
}

/** `/` → index.html, `/about` → about.html or about/index.html, `/docs/` → docs/index.html. */
function resolvePath(live: LiveSite, pathname: string): string | null {
  const path = pathname.replace(/^\/+/, "");
  const candidates =
    path === "" || path.endsWith("/") ? [`${path}index.html`] : [path, `${path}.html`, `${path}/index.html`];
  return candidates.find((candidate) => candidate in live.files && candidate !== "404.html") ?? null;
}

function sitemap(live: LiveSite, origin: string): string {
  const pages = Object.keys(live.files)
    .filter((path) => isHtml(path) && path !== "404.html")
    .sort()
    .map((path) => `${origin}/${path.replace(/(^|\/)index\.html$/, "$1")}`);
  const urls = pages.map((url) => `  <url><loc>${url.replaceAll("&", "&amp;")}</loc></url>`).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
}

async function notFound(c: Context, live: LiveSite | null, store: SiteStore): Promise<Response> {
  const own = live?.files["404.html"];
  const body = own && live ? await store.get(live.slug, own.hash) : Buffer.from(NOT_FOUND_PAGE);
  return respond(c, 404, body, "text/html; charset=utf-8", { "cache-control": "no-cache" });
}

export function missingSite(c: Context): Response {
  return respond(c, 404, Buffer.from(NOT_FOUND_PAGE), "text/html; charset=utf-8", {
    "cache-control": "no-cache",
  });
}

export function unavailableSite(c: Context): Response {
  return respond(c, 503, Buffer.from(UNAVAILABLE_PAGE), "text/html; charset=utf-8", {
    "cache-control": "no-store",
    "retry-after": "3600",
  });
}

function text(c: Context, body: string, type: string): Response {
  return respond(c, 200, Buffer.from(body), type, { "cache-control": PAGE_CACHE });
}

async function send(
  c: Context,
  live: LiveSite,
  store: SiteStore,
  path: string,
  cache: string,
): Promise<Response> {
  const file = live.files[path]!;
  const etag = `"${file.hash}"`;
  const headers = { "cache-control": cache, etag };
  if (matches(c.req.header("if-none-match"), etag)) return respond(c, 304, null, file.type, headers);
  return respond(c, 200, await store.get(live.slug, file.hash), file.type, headers, file.hash);
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header === "*" || header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

const compressed = new Map<string, Buffer>();
let compressedBytes = 0;

/** Brotli or gzip for text the client accepts, computed once per blob and encoding. */
function encode(body: Buffer, accept: string, key: string | undefined): { body: Buffer; encoding?: string } {
  const br = /\bbr\b/.test(accept);
  const gzip = /\bgzip\b/.test(accept);
  if (body.length < 512 || (!br && !gzip)) return { body };
  const encoding = br ? "br" : "gzip";
  const cacheKey = key ? `${key}.${encoding}` : undefined;
  const hit = cacheKey ? compressed.get(cacheKey) : undefined;
  if (hit) return { body: hit, encoding };
  const out = br
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
    : gzipSync(body, { level: 9 });
  if (cacheKey) {
    if (compressedBytes > 32 * 1024 * 1024) {
      compressed.clear();
      compressedBytes = 0;
    }
    compressed.set(cacheKey, out);
    compressedBytes += out.length;
  }
  return { body: out, encoding };
}

function respond(
  c: Context,
  status: number,
  body: Buffer | null,
  type: string,
  extra: Record<string, string>,
  key?: string,
): Response {
  const headers = new Headers({
    ...extra,
    "content-type": type,
    "content-security-policy": SITE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
  });
  let payload = body;
  if (body && isCompressible(type)) {
    headers.set("vary", "accept-encoding");
    const encoded = encode(body, c.req.header("accept-encoding") ?? "", key);
    payload = encoded.body;
    if (encoded.encoding) headers.set("content-encoding", encoded.encoding);
  }
  if (payload) headers.set("content-length", String(payload.length));
  return new Response(c.req.method === "HEAD" || status === 304 ? null : new Uint8Array(payload ?? []), {
    status,
    headers,
  });
}

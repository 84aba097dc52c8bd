import type { Context } from "hono";
import type { Database } from "../db/client.ts";
import { findTenant, type Tenant } from "../registry/tenants.ts";
import type { Encoding, SiteCompression } from "./compression.ts";
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
  files: SiteFiles,
  origin: string,
): Promise<Response> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(c.req.url).pathname);
  } catch {
    return await notFound(c, live, files);
  }
  const asset = live.assets.get(pathname);
  if (asset) return await send(c, live, files, asset, ASSET_CACHE);
  const path = resolvePath(live, pathname);
  if (path) return await send(c, live, files, path, PAGE_CACHE);
  const generated = `${live.slug}/${live.site}/${live.version}/${origin}`;
  if (pathname === "/robots.txt")
    return await text(
      c,
      files,
      `User-agent: *\nAllow: /\nSitemap: ${origin}/sitemap.xml\n`,
      "text/plain; charset=utf-8",
      `${generated}/robots.txt`,
    );
  if (pathname === "/sitemap.xml")
    return await text(c, files, sitemap(live, origin), "application/xml", `${generated}/sitemap.xml`);
  return await notFound(c, live, files);
}

/** Where public sites get their bytes: the tenant's store, and compressed copies of them. */
export interface SiteFiles {
  store: SiteStore;
  compression: SiteCompression;
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

async function notFound(c: Context, live: LiveSite, files: SiteFiles): Promise<Response> {
  const own = live.files["404.html"];
  if (!own) return await missingSite(c, files);
  return await respond(
    c,
    files,
    404,
    await files.store.get(live.slug, own.hash),
    "text/html; charset=utf-8",
    {
      headers: { "cache-control": "no-cache" },
      key: `${live.slug}/${own.hash}`,
    },
  );
}

export async function missingSite(c: Context, files: SiteFiles): Promise<Response> {
  return await respond(c, files, 404, NOT_FOUND_BYTES, "text/html; charset=utf-8", {
    headers: { "cache-control": "no-cache" },
    key: "platform/not-found",
  });
}

export async function unavailableSite(c: Context, files: SiteFiles): Promise<Response> {
  return await respond(c, files, 503, UNAVAILABLE_BYTES, "text/html; charset=utf-8", {
    headers: { "cache-control": "no-store", "retry-after": "3600" },
    key: "platform/unavailable",
  });
}

const NOT_FOUND_BYTES = Buffer.from(NOT_FOUND_PAGE);
const UNAVAILABLE_BYTES = Buffer.from(UNAVAILABLE_PAGE);

async function text(c: Context, files: SiteFiles, body: string, type: string, key: string) {
  return await respond(c, files, 200, Buffer.from(body), type, {
    headers: { "cache-control": PAGE_CACHE },
    key,
  });
}

async function send(
  c: Context,
  live: LiveSite,
  files: SiteFiles,
  path: string,
  cache: string,
): Promise<Response> {
  const file = live.files[path]!;
  const etag = `"${file.hash}"`;
  const headers = { "cache-control": cache, etag };
  if (matches(c.req.header("if-none-match"), etag))
    return await respond(c, files, 304, null, file.type, { headers });
  return await respond(c, files, 200, await files.store.get(live.slug, file.hash), file.type, {
    headers,
    key: `${live.slug}/${file.hash}`,
  });
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header === "*" || header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/** Brotli or gzip, when the client accepts one and the text is worth it. */
function encodingFor(accept: string, body: Buffer): Encoding | null {
  if (body.length < 512) return null;
  if (/\bbr\b/.test(accept)) return "br";
  if (/\bgzip\b/.test(accept)) return "gzip";
  return null;
}

/** `key` names exactly `body`'s bytes (a content hash, a platform page), so its compressed copy is reused. */
async function respond(
  c: Context,
  files: SiteFiles,
  status: number,
  body: Buffer | null,
  type: string,
  options: { headers: Record<string, string>; key?: string },
): Promise<Response> {
  const headers = new Headers({
    ...options.headers,
    "content-type": type,
    "content-security-policy": SITE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
  });
  let payload = body;
  if (body && isCompressible(type)) {
    headers.set("vary", "accept-encoding");
    const encoding = options.key ? encodingFor(c.req.header("accept-encoding") ?? "", body) : null;
    if (encoding && options.key) {
      payload = await files.compression.encoded(options.key, body, encoding);
      headers.set("content-encoding", encoding);
    }
  }
  if (payload) headers.set("content-length", String(payload.length));
  return new Response(c.req.method === "HEAD" || status === 304 ? null : new Uint8Array(payload ?? []), {
    status,
    headers,
  });
}

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Hono } from "hono";

interface Asset {
  body: string;
  type: string;
  /** `/assets/web/signup.3f2a9c1d0b.js`: changes whenever the content does. */
  url: string;
}

/** The pages' own CSS and JS, read once at start: served from here so no page loads anything external. */
const ASSETS: Record<string, Asset> = Object.fromEntries(
  [
    ["web.css", "text/css; charset=utf-8"],
    ["signup.js", "text/javascript; charset=utf-8"],
    ["welcome.js", "text/javascript; charset=utf-8"],
  ].map(([file, type]) => {
    const body = readFileSync(new URL(`./assets/${file}`, import.meta.url), "utf8");
    return [file, { body, type: type!, url: `/assets/web/${hashedName(file!, body)}` }];
  }),
);
const BY_HASHED_NAME = new Map(Object.values(ASSETS).map((asset) => [asset.url, asset]));

/** `name.<first 10 hex of its SHA-256>.ext`. */
export function hashedName(file: string, body: string): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 10);
  const dot = file.lastIndexOf(".");
  return `${file.slice(0, dot)}.${hash}${file.slice(dot)}`;
}

/** The content-hashed URL a page links to, e.g. `assetUrl("web.css")`. */
export function assetUrl(file: keyof typeof ASSETS | string): string {
  const asset = ASSETS[file];
  if (!asset) throw new Error(`No platform asset named ${file}`);
  return asset.url;
}

export function assetRoutes() {
  return new Hono().get("/assets/web/:file", (c) => {
    const hashed = BY_HASHED_NAME.get(c.req.path);
    // A hashed name never changes content: a CDN and browsers may keep it for good.
    if (hashed)
      return c.body(hashed.body, 200, {
        "content-type": hashed.type,
        "cache-control": "public, max-age=31536000, immutable",
      });
    const asset = ASSETS[c.req.param("file")];
    if (!asset) return c.notFound();
    // The plain name (pages cached before a deploy) changes with every deploy: a short cache only.
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "public, max-age=300" });
  });
}

import { readFileSync } from "node:fs";
import { Hono } from "hono";

/** The pages' own CSS and JS, read once at start: served from here so no page loads anything external. */
const ASSETS: Record<string, { body: string; type: string }> = Object.fromEntries(
  [
    ["web.css", "text/css; charset=utf-8"],
    ["signup.js", "text/javascript; charset=utf-8"],
    ["welcome.js", "text/javascript; charset=utf-8"],
  ].map(([file, type]) => [
    file,
    { body: readFileSync(new URL(`./assets/${file}`, import.meta.url), "utf8"), type },
  ]),
);

export function assetRoutes() {
  return new Hono().get("/assets/web/:file", (c) => {
    const asset = ASSETS[c.req.param("file")];
    if (!asset) return c.notFound();
    // Short cache: a deploy changes these files under the same names.
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "public, max-age=300" });
  });
}

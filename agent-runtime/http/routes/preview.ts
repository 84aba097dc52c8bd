import { Hono } from "hono";
import { cleanDocument } from "../../agents/sanitize.ts";
import type { Database } from "../../db/index.ts";
import type { BuilderService } from "../../runs/service.ts";
import { headCheckpoint } from "../../store/checkpoints.ts";
import { loadTree } from "../../store/files.ts";

const types: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
};

/** `/preview/:projectId/…`: the head's files; generated pages may not run scripts. */
export function previewRoutes(service: BuilderService, db: Database) {
  return new Hono().get("/:projectId/*", async (c) => {
    const projectId = c.req.param("projectId");
    await service.project(projectId);
    const prefix = `/preview/${projectId}/`;
    const path = decodeURIComponent(c.req.path.slice(prefix.length)) || "index.html";
    const files = await loadTree(db, (await headCheckpoint(db, projectId)).treeHash);
    const content = files[path];
    c.header(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'",
    );
    c.header("Cache-Control", "no-store");
    if (content === undefined) {
      return c.html(
        path === "index.html"
          ? `<!doctype html><title>Nothing yet</title><p style="font:16px system-ui;padding:2rem">Nothing built yet: send a prompt.</p>`
          : "Not found",
        path === "index.html" ? 200 : 404,
      );
    }
    const type = types[path.split(".").pop() ?? ""] ?? "application/octet-stream";
    // Pages are cleaned again as served: whatever a checkpoint holds, no refresh, redirect or script gets out.
    return c.body(type.startsWith("text/html") ? cleanDocument(content) : content, 200, {
      "Content-Type": type,
    });
  });
}

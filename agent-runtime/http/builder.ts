import { Hono } from "hono";
import type { RuntimeConfig } from "../config.ts";
import type { Database } from "../db/index.ts";
import { publishingFor } from "../publishing/index.ts";
import type { RunEventLog } from "../runs/events.ts";
import type { BuilderService } from "../runs/service.ts";
import { builderAssetUrls } from "../ui/builder-assets.ts";
import { builderPage, builderScript, builderStyles, publishScript, publishStyles } from "../ui/index.ts";
import { BUILDER_PAGE_CSP } from "./request-guards.ts";
import { changeRoutes } from "./routes/changes.ts";
import { previewRoutes } from "./routes/preview.ts";
import { projectRoutes } from "./routes/projects.ts";
import { publishingRoutes } from "./routes/publishing.ts";
import { runRoutes } from "./routes/runs.ts";
import { supportRoutes } from "./routes/support.ts";

const IMMUTABLE = "public, max-age=31536000, immutable";

/** The builder behind the owner session: UI, API and preview. */
export function builderRoutes(deps: {
  service: BuilderService;
  events: RunEventLog;
  db: Database;
  config: RuntimeConfig;
}) {
  return (
    new Hono()
      .get("/", (c) => c.html(builderPage(deps.config), 200, { "Content-Security-Policy": BUILDER_PAGE_CSP }))
      .get("/ui/builder.js", (c) =>
        c.body(builderScript, 200, { "Content-Type": "text/javascript; charset=utf-8" }),
      )
      .get("/ui/builder.css", (c) =>
        c.body(builderStyles, 200, { "Content-Type": "text/css; charset=utf-8" }),
      )
      // The page links the content-hashed names: they never change, so they are cached for good.
      .get(builderAssetUrls.script, (c) =>
        c.body(builderScript, 200, {
          "Content-Type": "text/javascript; charset=utf-8",
          "Cache-Control": IMMUTABLE,
        }),
      )
      .get(builderAssetUrls.styles, (c) =>
        c.body(builderStyles, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": IMMUTABLE }),
      )
      .get("/ui/publish.js", (c) =>
        c.body(publishScript, 200, { "Content-Type": "text/javascript; charset=utf-8" }),
      )
      .get("/ui/publish.css", (c) =>
        c.body(publishStyles, 200, { "Content-Type": "text/css; charset=utf-8" }),
      )
      .route("/", supportRoutes(deps.config))
      .get("/api/usage", async (c) => c.json(await deps.service.usage()))
      .route("/api/projects", projectRoutes(deps.service, deps.db))
      .route("/api/projects", changeRoutes(deps.service, deps.db))
      .route("/api/projects", publishingRoutes(deps.service, publishingFor(deps.db, deps.config)))
      .route("/api/runs", runRoutes(deps.service, deps.events))
      .get("/preview/:projectId", (c) => c.redirect(`/preview/${c.req.param("projectId")}/`))
      .route("/preview", previewRoutes(deps.service, deps.db))
  );
}

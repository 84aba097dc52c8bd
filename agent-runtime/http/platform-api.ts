import { timingSafeEqual } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import type { RuntimeConfig } from "../config.ts";
import { type Database, tables } from "../db/index.ts";
import { loadTree } from "../store/files.ts";

/** What the platform's data export holds of one site: its main branch's head files. */
export interface SiteHead {
  id: string;
  name: string;
  files: Record<string, string>;
}

/**
 * Questions the platform asks about this builder's data (the owner's data export), so it never reads the
 * builder's tables itself. Authenticated with the credential the platform gave this runtime
 * (WEBSPLAT_PLATFORM_TOKEN), which names this tenant alone; not reachable with an owner session.
 */
export function platformApiRoutes(deps: { config: RuntimeConfig; db: Database }): Hono {
  const app = new Hono();
  app.use("/platform/*", async (c, next) => {
    if (!fromPlatform(deps.config.platformToken, c.req.header("authorization")))
      return c.json(
        { error: { code: "unauthorized", message: "Send this runtime's platform token as a bearer token." } },
        401,
      );
    await next();
  });
  app.get("/platform/sites", async (c) => c.json({ sites: await siteHeads(deps.db) }));
  return app;
}

/** Every project's main branch head, oldest project first. */
async function siteHeads(db: Database): Promise<SiteHead[]> {
  const { projects, branches, checkpoints } = tables;
  const heads = await db
    .select({ id: projects.id, name: projects.name, treeHash: checkpoints.treeHash })
    .from(projects)
    .innerJoin(branches, and(eq(branches.projectId, projects.id), eq(branches.name, "main")))
    .innerJoin(checkpoints, eq(checkpoints.id, branches.headCheckpointId))
    .orderBy(asc(projects.createdAt));
  const sites: SiteHead[] = [];
  for (const head of heads)
    sites.push({ id: head.id, name: head.name, files: await loadTree(db, head.treeHash) });
  return sites;
}

function fromPlatform(token: string | undefined, authorization: string | undefined): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(authorization ?? "")?.[1] ?? "");
  const expected = Buffer.from(token ?? "");
  return expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected);
}

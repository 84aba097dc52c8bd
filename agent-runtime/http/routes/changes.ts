import { Hono } from "hono";
import { z } from "zod";
import type { Database } from "../../db/index.ts";
import { checkpointChanges, compareCheckpoints } from "../../runs/history.ts";
import type { BuilderService } from "../../runs/service.ts";
import { RuntimeError } from "../errors.ts";

const compare = z.object({ from: z.uuid(), to: z.uuid() });

/** The timeline's diffs: what each checkpoint changed, and any two compared. */
export function changeRoutes(service: BuilderService, db: Database) {
  return new Hono()
    .get("/:id/changes", async (c) => {
      const project = await service.project(c.req.param("id"));
      return c.json({ changes: await checkpointChanges(db, project.id) });
    })
    .get("/:id/compare", async (c) => {
      const project = await service.project(c.req.param("id"));
      const query = compare.safeParse(c.req.query());
      if (!query.success) {
        throw new RuntimeError(
          "invalid_comparison",
          "Choose two checkpoints to compare (from and to, both checkpoint ids).",
          400,
        );
      }
      return c.json(await compareCheckpoints(db, project.id, query.data.from, query.data.to));
    });
}

import { Hono } from "hono";
import { z } from "zod";
import type { Database } from "../../db/index.ts";
import type { BuilderService } from "../../runs/service.ts";
import { headCheckpoint, listCheckpoints } from "../../store/checkpoints.ts";
import { loadTree } from "../../store/files.ts";
import { parseBody } from "../validate.ts";

const newProject = z.object({ name: z.string().trim().min(1).max(80).default("My site") });
const newRun = z.object({
  prompt: z.string().trim().min(1, "Write what you want built.").max(4000),
  autonomy: z.number().int().min(0).max(4).default(1),
  creativity: z.number().int().min(0).max(4).default(2),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .optional(),
  /** The section selected in the preview: the run is scoped to it. */
  sectionId: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,40}$/, "Select a section of the site in the preview.")
    .nullish(),
});
const rollback = z.object({
  checkpointId: z.uuid(),
  scope: z.enum(["files", "conversation", "both"]).default("both"),
});

export function projectRoutes(service: BuilderService, db: Database) {
  return new Hono()
    .get("/", async (c) => c.json({ projects: await service.listProjects() }))
    .post("/", async (c) =>
      c.json({ project: await service.createProject((await parseBody(c, newProject)).name) }, 201),
    )
    .get("/:id", async (c) => {
      const project = await service.project(c.req.param("id"));
      const active = await service.activeRun(project.id);
      return c.json({
        project,
        activeRunId: active?.id ?? null,
        runs: await service.runsOf(project.id),
        messages: await service.conversation(project.id),
      });
    })
    .post("/:id/runs", async (c) => {
      const { run, steered } = await service.startRun(c.req.param("id"), await parseBody(c, newRun));
      return c.json({ run: await service.runView(run.id), steered }, steered ? 202 : 201);
    })
    .get("/:id/checkpoints", async (c) => {
      await service.project(c.req.param("id"));
      return c.json(await listCheckpoints(db, c.req.param("id")));
    })
    .post("/:id/rollback", async (c) => {
      const body = await parseBody(c, rollback);
      return c.json(await service.rollback(c.req.param("id"), body.checkpointId, body.scope), 201);
    })
    .get("/:id/files", async (c) => {
      await service.project(c.req.param("id"));
      const head = await headCheckpoint(db, c.req.param("id"));
      const files = await loadTree(db, head.treeHash);
      return c.json({
        checkpointId: head.id,
        files: Object.entries(files).map(([path, content]) => ({ path, content })),
      });
    });
}

import { Hono } from "hono";
import { z } from "zod";
import { type Publishing, submissionsCsv } from "../../publishing/service.ts";
import type { BuilderService } from "../../runs/service.ts";
import { parseBody } from "../validate.ts";

const publish = z.object({ checkpointId: z.uuid().optional() });
const hostname = z.object({ hostname: z.string().trim().min(1).max(253) });

/** DESIGN §12 runtime routes: publish, publications, restore, unpublish, domains, submissions. */
export function publishingRoutes(service: BuilderService, publishing: Publishing) {
  return new Hono()
    .post("/:id/publish", async (c) => {
      const project = await service.project(c.req.param("id"));
      // The body is optional: no body publishes the head.
      const body = (await c.req.text()) ? await parseBody(c, publish) : {};
      return c.json(await publishing.publish(project.id, body.checkpointId), 201);
    })
    .get("/:id/publications", async (c) => {
      const project = await service.project(c.req.param("id"));
      return c.json(await publishing.publications(project.id));
    })
    .post("/:id/publications/:version/restore", async (c) => {
      const project = await service.project(c.req.param("id"));
      const version = Number(c.req.param("version"));
      if (!Number.isInteger(version) || version < 1)
        return c.json(
          { error: { code: "invalid_version", message: "A version is a positive whole number." } },
          400,
        );
      return c.json(await publishing.restore(project.id, version));
    })
    .delete("/:id/publication", async (c) => {
      const project = await service.project(c.req.param("id"));
      return c.json(await publishing.unpublish(project.id));
    })
    .get("/:id/domains", async (c) =>
      c.json(await publishing.domains((await service.project(c.req.param("id"))).id)),
    )
    .post("/:id/domains", async (c) => {
      const project = await service.project(c.req.param("id"));
      return c.json(await publishing.addDomain(project.id, (await parseBody(c, hostname)).hostname), 201);
    })
    .post("/:id/domains/check", async (c) =>
      c.json(await publishing.checkDomains((await service.project(c.req.param("id"))).id)),
    )
    .delete("/:id/domains", async (c) => {
      const project = await service.project(c.req.param("id"));
      return c.json(await publishing.removeDomain(project.id, (await parseBody(c, hostname)).hostname));
    })
    .get("/:id/submissions", async (c) => {
      const project = await service.project(c.req.param("id"));
      const submissions = await publishing.submissions(project.id);
      if (c.req.query("format") === "csv") {
        return c.body(submissionsCsv(submissions), 200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="submissions-${project.id.slice(0, 8)}.csv"`,
        });
      }
      return c.json({ submissions });
    });
}

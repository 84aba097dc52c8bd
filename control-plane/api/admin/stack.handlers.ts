import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError } from "../../http/errors.ts";
import { type Services, specFor } from "../../platform-services.ts";
import { audit } from "../../registry/audit.ts";
import { runStackOperation } from "../../registry/stack-operations.ts";
import { requireTenant } from "../../registry/tenants.ts";
import { actorOf } from "./actor.ts";
import type * as routes from "./stack.routes.ts";

/** A tenant's infrastructure stack: preview, refresh and cancel in the background; outputs and state now. */
export function stackHandlers(services: Services) {
  const start = async (c: Context, slug: string, kind: "preview" | "refresh" | "cancel") => {
    const tenant = await requireTenant(services.db, slug);
    await audit(services, actorOf(c), `stack.${kind}`, tenant.slug);
    const operationId = await runStackOperation(services, tenant.slug, kind, async (ctx) => {
      if (kind === "preview") return await services.driver.preview(specFor(services, tenant), ctx);
      if (kind === "refresh") return await services.driver.refresh(tenant.slug, ctx);
      return await services.driver.cancel(tenant.slug, ctx);
    });
    return { operationId };
  };

  const preview: RouteHandler<typeof routes.previewStack> = async (c) =>
    c.json(await start(c, c.req.valid("param").slug, "preview"), 202);
  const refresh: RouteHandler<typeof routes.refreshStack> = async (c) =>
    c.json(await start(c, c.req.valid("param").slug, "refresh"), 202);
  const cancel: RouteHandler<typeof routes.cancelStack> = async (c) =>
    c.json(await start(c, c.req.valid("param").slug, "cancel"), 202);

  const outputs: RouteHandler<typeof routes.stackOutputs> = async (c) => {
    const { slug } = c.req.valid("param");
    await requireTenant(services.db, slug);
    const outputs = await services.driver.outputs(slug);
    if (!outputs)
      throw new ApiError(
        404,
        "no_stack",
        `Tenant "${slug}" has no stack yet (never provisioned, or deleted).`,
      );
    return c.json({ ...outputs }, 200);
  };

  const exportState: RouteHandler<typeof routes.exportStack> = async (c) => {
    const { slug } = c.req.valid("param");
    await requireTenant(services.db, slug);
    try {
      return c.json((await services.driver.export(slug)) as Record<string, unknown>, 200);
    } catch (error) {
      if ((error as { code?: string }).code === "not_found")
        throw new ApiError(404, "no_stack", (error as Error).message);
      throw error;
    }
  };

  return { preview, refresh, cancel, outputs, exportState };
}

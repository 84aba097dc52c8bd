import type { RouteHandler } from "@hono/zod-openapi";
import { notFound } from "../../http/errors.ts";
import type { Services } from "../../platform-services.ts";
import { operationView } from "../../registry/operations.ts";
import { requireTenant } from "../../registry/tenants.ts";
import { streamOperation } from "../operation-stream.ts";
import type * as routes from "./operations.routes.ts";

/** Operations (provisioning, reconciles, stack actions): listed, read with their log, or followed live. */
export function operationHandlers(services: Services) {
  const forTenant: RouteHandler<typeof routes.tenantOperations> = async (c) => {
    const { slug } = c.req.valid("param");
    await requireTenant(services.db, slug);
    const rows = await services.operations.forTenant(slug, c.req.valid("query").limit);
    return c.json({ operations: rows.map((row) => operationView(row)) }, 200);
  };

  const list: RouteHandler<typeof routes.listOperations> = async (c) => {
    const rows = await services.operations.list(c.req.valid("query"));
    return c.json({ operations: rows.map((row) => operationView(row)) }, 200);
  };

  const get: RouteHandler<typeof routes.getOperation> = async (c) => {
    const { id } = c.req.valid("param");
    const operation = await services.operations.get(id);
    if (!operation) throw notFound(`Operation ${id}`);
    return c.json(operationView(operation, await services.operations.lines(operation.id)), 200);
  };

  const events: RouteHandler<typeof routes.operationEvents> = async (c) => {
    const { id } = c.req.valid("param");
    const operation = await services.operations.get(id);
    if (!operation) throw notFound(`Operation ${id}`);
    // A stream, not one text body: its type is the SSE response's, not the route's.
    return streamOperation(c, services.operations, operation.id) as never;
  };

  return { forTenant, list, get, events };
}

import type { RouteHandler } from "@hono/zod-openapi";
import type { Services } from "../../platform-services.ts";
import { listAudit } from "../../registry/audit-log.ts";
import type * as routes from "./audit.routes.ts";

/** The audit log: admin actions, owner-link issuance, billing transitions. */
export function auditHandlers(services: Services) {
  const list: RouteHandler<typeof routes.listAudit> = async (c) =>
    c.json({ entries: await listAudit(services.db, c.req.valid("query")) }, 200);
  return { list };
}

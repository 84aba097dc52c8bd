import type { Logger } from "pino";
import type { Database } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";
import { bindTenant } from "../logging.ts";

/** Records who did what to which tenant, in the audit log and in the service log. */
export async function audit(
  services: { db: Database; logger: Logger },
  actor: string,
  action: string,
  slug: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  if (slug) bindTenant(slug);
  await services.db.insert(auditLog).values({ actor, action, slug, details });
  services.logger.info({ audit: action, actor, tenant: slug ?? undefined }, "audit");
}

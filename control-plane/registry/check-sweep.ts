import { and, eq, lt, ne } from "drizzle-orm";
import { tenants } from "../db/schema.ts";
import type { Services } from "../platform-services.ts";
import { audit } from "./audit.ts";
import { changeTenant } from "./tenant-admin.ts";

/** A journey check takes minutes; its tenant still there after this was left by a check that died. */
export const CHECK_TENANT_MAX_AGE_MS = 60 * 60_000;
const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * Deletes journey checks' tenants older than `maxAgeMs` (a check that died halfway never deleted its own),
 * now and every few minutes. Answers the slugs it deleted.
 */
export async function sweepCheckTenants(
  services: Pick<Services, "db" | "logger" | "reconciler">,
  maxAgeMs = CHECK_TENANT_MAX_AGE_MS,
): Promise<string[]> {
  const cutoff = new Date(Date.now() - maxAgeMs);
  const left = await services.db
    .select({ slug: tenants.slug })
    .from(tenants)
    .where(and(eq(tenants.check, true), ne(tenants.desired, "deleted"), lt(tenants.createdAt, cutoff)));
  for (const { slug } of left) {
    await changeTenant(services.db, slug, { desired: "deleted", deleteAfter: null }, "delete");
    await audit(services, "check-sweep", "tenant.delete", slug, {
      reason: "journey check tenant left behind",
    });
    await services.reconciler.request(slug, "check tenant sweep");
  }
  return left.map((row) => row.slug);
}

export function checkTenantSweep(services: Services): () => Promise<void> {
  const round = () =>
    sweepCheckTenants(services)
      .then((slugs) => {
        if (slugs.length > 0) services.logger.info({ slugs }, "journey check tenants left behind deleted");
      })
      .catch((error) => services.logger.error({ err: error }, "check tenant sweep failed; retrying later"));
  void round();
  const timer = setInterval(round, SWEEP_EVERY_MS);
  timer.unref();
  return async () => clearInterval(timer);
}

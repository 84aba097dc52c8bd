import { resolve } from "node:path";
import { sql as dsql, eq, inArray, or } from "drizzle-orm";
import { backupStore, deleteAllBackups } from "../backups/index.ts";
import {
  auditLog,
  emailLinks,
  localCheckouts,
  operationLogs,
  operations,
  stripeEvents,
  tenants,
} from "../db/schema.ts";
import { eraseFeedback } from "../feedback/index.ts";
import type { Services } from "../platform-services.ts";
import { whileNotReconciling } from "../reconciler/locks.ts";
import { changeDesired, findTenant, requireTenant } from "../registry/tenants.ts";
import { eraseTenantSites, type SitesErased, siteStore } from "../sites/index.ts";
import { deleteExports } from "./delivery.ts";

/** What an erased tenant's row keeps in place of its owner's email. */
export const ERASED_EMAIL = "erased";

export interface ErasureReport extends SitesErased {
  slug: string;
  erasedAt: string;
  backupObjectsDeleted: number;
  feedbackDeleted: number;
  operationLogLinesDeleted: number;
  auditEntriesScrubbed: number;
  billingEventsScrubbed: number;
}

/**
 * Honours an erasure request: the runtime stopped, the schema and role dropped, backups and logs deleted, its
 * published sites (every version and file, form submissions, custom domains, released) and feedback deleted, the
 * owner's email and Stripe ids replaced in the tenant row and scrubbed from the audit trail and billing events
 * (which are kept, as records that things happened). The row stays, deleted, so the slug is never reissued.
 */
export async function eraseTenant(services: Services, slug: string): Promise<ErasureReport> {
  const tenant = await requireTenant(services.db, slug);
  const personal = [tenant.email, tenant.stripeCustomerId, tenant.stripeSubscriptionId].filter(
    (value): value is string => Boolean(value) && value !== ERASED_EMAIL,
  );
  const steps: string[] = [];
  await whileNotReconciling(services.sql, slug, async () => {
    await services.db.transaction(async (tx) => {
      const current = await findTenant(tx, slug, { lock: true });
      if (current) await changeDesired(tx, current, { desired: "deleted", deleteAfter: null });
    });
    await services.driver.destroy(slug, {
      signal: AbortSignal.timeout(10 * 60_000),
      log: (message) => steps.push(message),
    });
    await services.db
      .update(tenants)
      .set({
        status: "deleted",
        observedGeneration: dsql`${tenants.generation}`,
        email: ERASED_EMAIL,
        stripeCustomerId: null,
        stripeSubscriptionId: null,
        welcomeKeyHash: null,
        reservedUntil: null,
        deleteAfter: null,
        outputs: null,
        lastError: null,
        updatedAt: new Date(),
      })
      .where(eq(tenants.slug, slug));
  });
  services.operations.tenantChanged(slug);

  const backupObjectsDeleted =
    (await deleteAllBackups(backupStore(services), slug)) + (await deleteExports(services, slug));
  const tenantOperations = services.db
    .select({ id: operations.id })
    .from(operations)
    .where(eq(operations.slug, slug));
  const logLines = await services.db
    .delete(operationLogs)
    .where(inArray(operationLogs.operationId, tenantOperations))
    .returning({ seq: operationLogs.seq });
  await services.db.delete(localCheckouts).where(eq(localCheckouts.slug, slug));
  const published = await eraseTenantSites(
    services.db,
    siteStore(services.config, resolve(services.config.WEBSPLAT_DATA_DIR)),
    slug,
  );
  const feedbackDeleted = await eraseFeedback(services.db, slug);
  // Sign-in and email-change links carry the owner's address.
  await services.db.delete(emailLinks).where(dsql`${emailLinks.slugs} @> ${JSON.stringify([slug])}::jsonb`);

  const billing = await services.db
    .update(stripeEvents)
    .set({ payload: { erased: true }, objectId: null })
    .where(
      or(
        eq(stripeEvents.tenantSlug, slug),
        ...personal.map((value) => dsql`${stripeEvents.payload}::text ilike ${`%${likeEscape(value)}%`}`),
      ),
    )
    .returning({ id: stripeEvents.id });

  const entries = await services.db.select().from(auditLog).where(eq(auditLog.slug, slug));
  let auditEntriesScrubbed = 0;
  for (const entry of entries) {
    const details = scrub(entry.details ?? null, personal);
    if (JSON.stringify(details) === JSON.stringify(entry.details ?? null)) continue;
    await services.db.update(auditLog).set({ details }).where(eq(auditLog.id, entry.id));
    auditEntriesScrubbed++;
  }
  return {
    slug,
    erasedAt: new Date().toISOString(),
    backupObjectsDeleted,
    ...published,
    feedbackDeleted,
    operationLogLinesDeleted: logLines.length,
    auditEntriesScrubbed,
    billingEventsScrubbed: billing.length,
  };
}

/** The same JSON with every string that holds a personal value replaced. */
function scrub<T>(value: T, personal: string[]): T {
  if (typeof value === "string")
    return (personal.some((item) => value.includes(item)) ? "[erased]" : value) as T;
  if (Array.isArray(value)) return value.map((item) => scrub(item, personal)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, personal)])) as T;
  return value;
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

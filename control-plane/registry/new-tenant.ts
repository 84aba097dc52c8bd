import { tenants } from "../db/schema.ts";
import type { Executor, Tenant } from "./tenants.ts";

type Source = Tenant["source"];

/**
 * How each way in starts a tenant. Only the operator's comp skips payment: it provisions at once
 * (generation 1); a signup's reservation and a checkout that found none wait for the payment (generation 0).
 */
const START: Record<Source, Pick<Tenant, "status" | "generation">> = {
  admin: { status: "provisioning", generation: 1 },
  signup: { status: "awaiting_payment", generation: 0 },
  checkout: { status: "awaiting_payment", generation: 0 },
};

/** The row's own fields; desired state, status and generation follow from `source`. */
export type NewTenant = Omit<typeof tenants.$inferInsert, "desired" | "status" | "generation">;

/** Inserts a tenant with the defaults of its way in; null when the slug already has a row. */
export async function insertTenant(db: Executor, tenant: NewTenant): Promise<Tenant | null> {
  const [row] = await db
    .insert(tenants)
    .values({ ...tenant, desired: "active", ...START[tenant.source] })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

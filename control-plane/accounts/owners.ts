import { and, asc, notInArray, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { tenants } from "../db/schema.ts";
import type { Tenant } from "../registry/tenants.ts";

/** Tenants an address owns and can sign in to: paid, not deleted (case-insensitive, as people type it). */
export async function tenantsOwnedBy(db: Database, email: string): Promise<Tenant[]> {
  return await db
    .select()
    .from(tenants)
    .where(
      and(
        sql`lower(${tenants.email}) = ${normalizeEmail(email)}`,
        notInArray(tenants.status, ["awaiting_payment", "deleting", "deleted"]),
        notInArray(tenants.desired, ["deleted"]),
      ),
    )
    .orderBy(asc(tenants.slug))
    .limit(50);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function sameEmail(a: string, b: string): boolean {
  return normalizeEmail(a) === normalizeEmail(b);
}

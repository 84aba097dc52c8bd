import { and, count, desc, eq, ilike, lt, or, type SQL } from "drizzle-orm";
import type { TierName } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { type TenantStatus, tenants } from "../db/schema.ts";
import { RegistryError } from "./errors.ts";
import { insertTenant } from "./new-tenant.ts";
import { changeDesired, type DesiredChange, findTenant, slugAvailability, type Tenant } from "./tenants.ts";

export interface TenantFilter {
  status?: TenantStatus;
  tier?: TierName;
  /** Part of a slug or an email. */
  q?: string;
  /** Only journey checks' tenants (true) or only customers' (false). */
  check?: boolean;
  limit: number;
  /** Where the previous page ended (`nextCursor`). */
  cursor?: string;
}

export interface TenantPage {
  tenants: Tenant[];
  nextCursor: string | null;
  total: number;
}

/** Tenants matching `filter`, newest first, one page at a time; `total` counts every match. */
export async function listTenants(db: Database, filter: TenantFilter): Promise<TenantPage> {
  const where = and(
    filter.status ? eq(tenants.status, filter.status) : undefined,
    filter.tier ? eq(tenants.tier, filter.tier) : undefined,
    filter.check === undefined ? undefined : eq(tenants.check, filter.check),
    filter.q
      ? or(
          ilike(tenants.slug, `%${escapeLike(filter.q)}%`),
          ilike(tenants.email, `%${escapeLike(filter.q)}%`),
        )
      : undefined,
  );
  let pageWhere: SQL | undefined = where;
  if (filter.cursor) {
    const [at, slug] = decodeCursor(filter.cursor);
    pageWhere = and(
      where,
      or(lt(tenants.createdAt, at), and(eq(tenants.createdAt, at), lt(tenants.slug, slug))),
    );
  }
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(tenants)
      .where(pageWhere)
      .orderBy(desc(tenants.createdAt), desc(tenants.slug))
      .limit(filter.limit + 1),
    db.select({ total: count() }).from(tenants).where(where),
  ]);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > filter.limit && last ? encodeCursor(last.createdAt, last.slug) : null;
  return { tenants: page, nextCursor, total: total?.total ?? 0 };
}

/** A tenant the operator gives away: no payment, provisioning starts at once (generation 1). */
export async function createCompedTenant(
  db: Database,
  input: { slug: string; email: string; tier: TierName },
): Promise<Tenant> {
  return await db.transaction(async (tx) => {
    const availability = await slugAvailability(tx, input.slug);
    if (!availability.available) throw new RegistryError(`slug_${availability.code}`, availability.reason);
    // A lapsed, unpaid reservation holds nothing: the comped tenant takes its place.
    await tx.delete(tenants).where(and(eq(tenants.slug, input.slug), eq(tenants.status, "awaiting_payment")));
    const row = await insertTenant(tx, { ...input, source: "admin" });
    if (!row) throw new RegistryError("slug_taken", `"${input.slug}" is already taken.`);
    return row;
  });
}

/**
 * An operator's change of desired state, as one transaction. A deleted tenant stays deleted; an unpaid one
 * can only be deleted (`action` names the change in the refusal).
 */
export async function changeTenant(
  db: Database,
  slug: string,
  patch: DesiredChange,
  action: string,
): Promise<Tenant> {
  return await db.transaction(async (tx) => {
    const tenant = await findTenant(tx, slug, { lock: true });
    if (!tenant) throw new RegistryError("not_found", `Tenant "${slug}" was not found.`);
    if (tenant.desired === "deleted" && patch.desired !== undefined) {
      throw new RegistryError("tenant_deleted", `Tenant "${slug}" is deleted; its slug is never reissued.`);
    }
    if (tenant.status === "awaiting_payment" && patch.desired !== "deleted") {
      throw new RegistryError(
        "awaiting_payment",
        `Tenant "${slug}" has not paid yet; nothing runs to ${action}.`,
      );
    }
    return (await changeDesired(tx, tenant, patch)).tenant;
  });
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function encodeCursor(at: Date, slug: string): string {
  return Buffer.from(`${at.toISOString()}|${slug}`).toString("base64url");
}

function decodeCursor(cursor: string): [Date, string] {
  const [at, slug] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const date = new Date(at ?? "");
  if (!slug || Number.isNaN(date.getTime()))
    throw new RegistryError("invalid_cursor", "The cursor is not one this API returned.");
  return [date, slug];
}
